import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError } from '../config.js';
import { CleanupList } from './context.js';
import { formatJunit, formatResult, formatSummary } from './report.js';
import { runConformance } from './run.js';

export const CONFORMANCE_USAGE = `Usage: fruxon-mock conformance --base-url URL --token TOKEN --tenant TENANT [options]

Runs one check per rule of the mock's ledger whose source is docs or inferred against any server that speaks
the Fruxon API (the real one, a sandbox tenant, this mock), and validates every response against the spec.
Every record it creates has "fruxon-conformance-<run>" in its displayName and is deleted at the end, also
on Ctrl-C and on failure; it never touches records it did not create.

  --base-url URL        the server, e.g. https://api.fruxon.com or http://127.0.0.1:4010
  --token TOKEN         a bearer token for the tenant (FRUXON_TOKEN)
  --tenant TENANT       the tenant to run in
  --other-tenant T      a tenant the token must not see the first one's records from (default: TENANT-other)
  --agent ID            an agent of the tenant to bind participants to, where the server has no GET /agents
  --control-token T     the mock's control token, for checks that use its control plane
  --read-only           only the checks that write nothing
  --all                 also the rules whose source is mock (this project's own decisions)
  --rule ID             only this rule (repeatable)
  --json                print the report as JSON instead of the table
  --junit FILE          also write the report as JUnit XML
  --help                this text

Exit code: 0 when no check failed, 1 when one did, 2 for a usage error.
`;

/** `fruxon-mock conformance …`: returns the exit code. */
export async function conformanceMain(argv: string[], env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        'base-url': { type: 'string' },
        token: { type: 'string' },
        tenant: { type: 'string' },
        'other-tenant': { type: 'string' },
        agent: { type: 'string' },
        'control-token': { type: 'string' },
        'read-only': { type: 'boolean' },
        all: { type: 'boolean' },
        rule: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        junit: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    out.write(CONFORMANCE_USAGE);
    return 0;
  }
  const baseUrl = values['base-url'];
  const token = values.token ?? env.FRUXON_TOKEN;
  const tenant = values.tenant;
  if (!baseUrl || !/^https?:\/\//.test(baseUrl)) throw new UsageError('--base-url must be an http(s) URL');
  if (!token) throw new UsageError('--token (or FRUXON_TOKEN) is required');
  if (!tenant) throw new UsageError('--tenant is required');

  const target = {
    baseUrl,
    token,
    tenant,
    otherTenant: values['other-tenant'] ?? `${tenant}-other`,
    ...(values.agent ? { agentId: values.agent } : {}),
    ...(values['control-token'] ? { controlToken: values['control-token'] } : {}),
  };
  const cleanup = new CleanupList();
  const interrupted = () => {
    out.write('conformance: interrupted, deleting the records this run created\n');
    cleanup.run(target).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const report = await runConformance({
      target,
      cleanup,
      ...(values.all ? { all: true } : {}),
      ...(values['read-only'] ? { readOnly: true } : {}),
      ...(values.rule ? { rules: values.rule } : {}),
      ...(values.json ? {} : { onResult: (r) => out.write(`${formatResult(r)}\n`) }),
    });
    if (values.junit) writeFileSync(values.junit, formatJunit(report));
    out.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatSummary(report)}\n`);
    return report.failed === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}
