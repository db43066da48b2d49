import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentFixture, Catalog, IntegrationFixture } from './types.js';

/** Thrown when a fixture file is missing or malformed; names the file. */
export class FixtureError extends Error {}

const ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Reads `integrations/*.json` and `agents.json` from a fixtures folder. */
export function loadFixtures(dir: string): Catalog {
  const integrationsDir = join(dir, 'integrations');
  let files: string[];
  try {
    files = readdirSync(integrationsDir).filter((f) => f.endsWith('.json')).sort();
  } catch (error) {
    throw new FixtureError(`cannot read fixtures folder ${integrationsDir}: ${(error as Error).message}`);
  }
  const integrations = files.map((f) => checkIntegration(readJson(join(integrationsDir, f)), join(integrationsDir, f)));
  const agentsFile = join(dir, 'agents.json');
  const agents = readJson(agentsFile);
  if (!Array.isArray(agents)) throw new FixtureError(`${agentsFile}: expected an array of agents`);
  return { integrations, agents: agents.map((a) => checkAgent(a, agentsFile)) };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FixtureError(`${file}: ${(error as Error).message}`);
  }
}

function checkIntegration(value: unknown, file: string): IntegrationFixture {
  const v = value as Partial<IntegrationFixture>;
  const fail = (what: string) => new FixtureError(`${file}: ${what}`);
  if (typeof v !== 'object' || v === null) throw fail('expected an object');
  if (typeof v.id !== 'string' || !ID_PATTERN.test(v.id)) throw fail('id must be letters, digits, _ or -');
  for (const key of ['parameters', 'authMethods', 'tools', 'tags'] as const) {
    if (!Array.isArray(v[key])) throw fail(`${key} must be an array`);
  }
  if (v.addressFormat) {
    try {
      new RegExp(v.addressFormat.pattern);
    } catch {
      throw fail('addressFormat.pattern is not a valid regular expression');
    }
  }
  return v as IntegrationFixture;
}

const SLOT_KINDS = ['ANY', 'PERSON', 'GROUP', 'AI_AGENT'];

function checkAgent(value: unknown, file: string): AgentFixture {
  const v = value as Partial<AgentFixture>;
  if (typeof v !== 'object' || v === null || typeof v.id !== 'string' || v.id.length === 0) {
    throw new FixtureError(`${file}: every agent needs a string id`);
  }
  if (v.slots !== undefined) {
    const names = new Set<string>();
    const valid =
      Array.isArray(v.slots) &&
      v.slots.every((slot) => {
        const ok = typeof slot?.name === 'string' && slot.name.length > 0 && !names.has(slot.name) && (slot.requiredKind === undefined || SLOT_KINDS.includes(slot.requiredKind));
        names.add(slot?.name);
        return ok;
      });
    if (!valid) throw new FixtureError(`${file}: agent '${v.id}': slots must be an array of { name (unique), displayName, requiredKind (${SLOT_KINDS.join(', ')}) }`);
  }
  return v as AgentFixture;
}
