import { CONFIGS_RULES } from './resources/configs/rules.js';
import { PARTICIPANTS_RULES } from './resources/participants/rules.js';
import { API_RULES } from './resources/api-rules.js';
import { CATALOG_RULES } from './resources/catalog/rules.js';
import { CONTROL_RULES } from './control/rules.js';
import { AGENTS_RULES } from './resources/agents/rules.js';
import { MESSAGING_RULES } from './resources/messaging/rules.js';

/**
 * Where a rule comes from: `docs` (the Fruxon docs state it: `quote` and `page`), `inferred` (the docs imply
 * it: `reason` says from what), `mock` (a decision of this project: `reason` says why).
 */
export type RuleSource = 'docs' | 'inferred' | 'mock';

/**
 * A behaviour, constraint or enum value the mock enforces. Rules live beside their resource
 * (`src/resources/<name>/rules.ts`); code that applies one names its id in a comment, and tests are titled
 * by id (`it('<id>: …')`).
 */
export type Rule = {
  /** kebab-case, unique across the ledger. */
  id: string;
  /** The resource folder it belongs to (`configs`, `participants`, …), or `api` for the whole API. */
  resource: string;
  /** What the mock does, in a sentence a client team can check. */
  summary: string;
  source: RuleSource;
  /** The sentence or field line of the docs it rests on (`docs`; also `inferred` where one exists). */
  quote?: string;
  /** The docs page the quote is from. */
  page?: string;
  /** Why: for `inferred`, from what; for `mock`, the reason for the decision. */
  reason?: string;
  /** The operation ids it applies to (of spec/fruxon.yaml, or spec/control.yaml); `'*'` for every operation of the API spec. */
  operations: readonly string[];
};

/** The whole ledger, served at `GET /__mock/rules`. */
export const RULES: readonly Rule[] = [...CONFIGS_RULES, ...PARTICIPANTS_RULES, ...CATALOG_RULES, ...API_RULES, ...CONTROL_RULES, ...MESSAGING_RULES, ...AGENTS_RULES];
