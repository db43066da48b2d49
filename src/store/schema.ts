import { MAX_BODY_DEPTH, depthOf } from '../http/depth.js';

/**
 * A compact schema of the stored records (src/store/types.ts), checked on everything the store takes in
 * from outside a request: the store file and journal at start, and `PUT /__mock/state`. A check returns
 * why the value breaks it, naming the field, or undefined when it holds.
 */
type Check = (value: unknown) => Failure | undefined;

/**
 * What is wrong and where: `at` holds the path's parts innermost first, each enclosing check adding its own
 * on the way out. A store file is checked record by record at start, so a check that holds allocates nothing.
 */
type Failure = { at: string[]; message: string };

const fail = (message: string, at: string[] = []): Failure => ({ at, message });

const typed = (name: string, test: (value: unknown) => boolean): Check => (value) =>
  test(value) ? undefined : fail(`must be ${name} (it is ${describe(value)})`);

const str = typed('a string', (v) => typeof v === 'string');
const num = typed('a number', (v) => typeof v === 'number' && Number.isFinite(v));
const bool = typed('a boolean', (v) => typeof v === 'boolean');
const json = typed('an object', isObject);

const oneOf = (...values: string[]): Check =>
  typed(`one of ${values.join(', ')}`, (v) => typeof v === 'string' && values.includes(v));

const nullable = (check: Check): Check => (value) => (value === null ? undefined : check(value));

const arrayOf = (check: Check): Check => (value) => {
  if (!Array.isArray(value)) return fail(`must be an array (it is ${describe(value)})`);
  for (let index = 0; index < value.length; index++) {
    const failure = check(value[index]);
    if (failure) {
      failure.at.push(`[${index}]`);
      return failure;
    }
  }
  return undefined;
};

/** Every field listed must be there and hold; fields it does not list are let through (views ignore them). */
const object = (fields: Record<string, Check>): Check => {
  const listed = Object.entries(fields);
  return (value) => {
    if (!isObject(value)) return fail(`must be an object (it is ${describe(value)})`);
    for (const [name, check] of listed) {
      if (!Object.hasOwn(value, name)) return fail('is missing', [`.${name}`]);
      const failure = check(value[name]);
      if (failure) {
        failure.at.push(`.${name}`);
        return failure;
      }
    }
    return undefined;
  };
};

const AUTH_CONFIG = {
  integrationAuthMetadataId: nullable(str),
  level: oneOf('UNSPECIFIED', 'APPLICATION', 'USER'),
  parameters: nullable(json),
};
const authConfig = object(AUTH_CONFIG);
const storedAuth = object({ ...AUTH_CONFIG, grantedScopes: arrayOf(str), source: oneOf('REQUEST', 'OAUTH') });
const authMap = arrayOf(object({ parameters: nullable(json), authConfig: nullable(authConfig) }));
const sandboxMode = oneOf('UNSPECIFIED', 'NONE', 'VENDOR', 'SIMULATED', 'READ_THROUGH');
const sandboxVariant = object({ parameters: nullable(json), auth: nullable(authConfig), authMap: nullable(authMap) });
const created = { createdBy: str, createdAt: num };

/** Each collection's record schema, and the field its key must equal. */
export const RECORD_SCHEMAS = {
  configs: {
    key: 'id',
    check: object({
      id: str, tenant: str, integrationId: str, displayName: nullable(str), parameters: json, auth: nullable(storedAuth),
      authMap, sandboxMode, sandboxVariant: nullable(sandboxVariant), publishedRevisionId: nullable(str), ...created, modifiedAt: num,
    }),
  },
  revisions: {
    key: 'id',
    check: object({
      id: str, tenant: str, tenantId: str, configId: str, version: num, parameters: json, auth: nullable(storedAuth), authMap,
      sandboxMode, sandboxVariant: nullable(sandboxVariant), note: nullable(str), ...created,
    }),
  },
  oauthKeys: {
    key: 'key',
    check: object({
      key: str, tenant: str, integrationId: str, authMethodId: str, scopes: arrayOf(str), accessToken: str, refreshToken: str,
      createdAt: num, consumedAt: nullable(num), consumedByConfigId: nullable(str),
    }),
  },
  participants: {
    key: 'id',
    check: object({
      id: str, tenant: str, kind: oneOf('PERSON', 'GROUP', 'AI_AGENT'), displayName: str, email: nullable(str),
      relatedAgentId: nullable(str), avatarFileId: nullable(str),
      channels: arrayOf(object({ integrationConfigId: nullable(str), address: str, priority: num, label: nullable(str), disabled: bool })),
      disabledAt: nullable(num), createdAt: num, modifiedAt: num,
    }),
  },
  bindings: {
    key: 'id',
    check: object({
      id: str, tenant: str, tenantId: str, participantId: str, agentId: str, roles: arrayOf(str), consultAllowed: bool,
      maxUrgency: oneOf('LOW', 'NORMAL', 'HIGH', 'EMERGENCY'), defaultForRoles: arrayOf(str), createdAt: num, modifiedAt: num,
    }),
  },
  integrations: {
    key: 'id',
    check: object({
      id: str, tenant: str, integrationId: str, displayName: nullable(str), description: nullable(str),
      configMetadata: object({ parametersMetadata: arrayOf(json), authMetadata: arrayOf(json) }), createdAt: num, modifiedAt: num,
    }),
  },
  webhookKeys: {
    key: 'id',
    check: object({ id: str, tenant: str, integrationId: str, configId: str, prefix: str, createdAt: num }),
  },
  accessRequests: {
    key: 'id',
    check: object({
      id: str, tenant: str, integrationConfigId: str, provider: str, address: str, agentId: str, matchedParticipantId: nullable(str),
      displayName: nullable(str), conversationName: nullable(str), status: oneOf('PENDING', 'APPROVED', 'REJECTED'),
      processedBy: nullable(str), processedAt: nullable(num), processingNote: nullable(str), approvedParticipantId: nullable(str),
      createdAt: num, modifiedAt: num,
    }),
  },
  providerAnswers: {
    key: 'id',
    check: object({ id: str, tenant: str, address: str, outcome: str, errorCode: nullable(str), errorMessage: nullable(str), createdAt: num }),
  },
  // agents (issue 13)
  agents: {
    key: 'id',
    check: object({
      id: str, tenant: str, agentId: str, displayName: nullable(str), description: nullable(str), avatarFileId: nullable(str),
      tags: arrayOf(str), type: oneOf('UNSPECIFIED', 'SUMMARIZATION', 'RECOMMENDATION', 'ANALYZER', 'CHAT', 'OTHER'),
      origin: oneOf('NATIVE', 'LANG_GRAPH', 'CREW_AI', 'OPEN_AI_ASSISTANTS', 'DIFY'),
      externalConfig: nullable(object({ parameters: nullable(json) })), enabled: bool, currentRevision: num,
      slots: arrayOf(object({ name: str, displayName: nullable(str), requiredKind: oneOf('ANY', 'PERSON', 'GROUP', 'AI_AGENT') })),
      integrationSlots: arrayOf(object({ id: str, integrationId: str, displayName: nullable(str), tenantConfigId: str })),
      deletedAt: nullable(num), createdAt: num, modifiedAt: num,
    }),
  },
  slotBindings: {
    key: 'id',
    check: object({
      id: str, tenant: str, tenantId: str, agentId: str, slotName: str, participantId: str, createdAt: num, modifiedAt: num,
    }),
  },
} as const satisfies Record<string, { key: string; check: Check }>;

export type CollectionName = keyof typeof RECORD_SCHEMAS;

/** Every record collection of the state, in file order. */
export const COLLECTIONS = Object.keys(RECORD_SCHEMAS) as CollectionName[];

/** A field path and what is wrong with it, e.g. `configs["c1"].authMap` and `must be an array`. */
export type Invalid = { path: string[]; message: string };

/**
 * Why `record`, stored in `collection` under `key`, is not a record this version can use, or undefined.
 * A record may nest as deeply as a request body may (MAX_BODY_DEPTH): anything deeper could not have come
 * through the API, and would break serialising the state.
 */
export function describeInvalidRecord(collection: CollectionName, key: string, record: unknown): string | undefined {
  const where = () => `${collection}[${JSON.stringify(key)}]`;
  if (isObject(record) && depthOf(record) > MAX_BODY_DEPTH) return `${where()} is nested more than ${MAX_BODY_DEPTH} levels deep`;
  const schema = RECORD_SCHEMAS[collection];
  const failure = schema.check(record);
  if (failure) return `${where()}${failure.at.reverse().join('')} ${failure.message}`;
  if (!(record as Record<string, unknown>).tenant) return `${where()}.tenant must not be empty`;
  const own = (record as Record<string, unknown>)[schema.key];
  return own === key ? undefined : `${where()} is keyed by '${key}' but its ${schema.key} is '${String(own)}'`;
}

/** Why `meta` is not this version's meta block, or undefined. */
export function describeInvalidMeta(meta: unknown): string | undefined {
  if (!isObject(meta) || meta.schemaVersion !== 1 || !Number.isSafeInteger(meta.sequence) || (meta.sequence as number) < 0) {
    return 'meta.schemaVersion must be 1 and meta.sequence a whole number';
  }
  return undefined;
}

/**
 * Why `data.meta.sequence` is stale: the first id of `data` the mock would hand out again after it (creates
 * would overwrite that record), looking as far as `horizon` plus the number of records (a snapshot taken from
 * this mock holds no id made after the larger of its own sequence and the store's). Undefined when none is.
 */
export function describeStaleSequence(
  data: { meta: { sequence: number } } & Record<CollectionName, object>,
  horizon: number,
  idOf: (sequence: number) => string,
): string | undefined {
  const ids = new Map<string, CollectionName>();
  for (const name of COLLECTIONS) for (const id of Object.keys(data[name])) ids.set(id, name);
  const last = horizon + ids.size;
  for (let sequence = data.meta.sequence + 1; sequence <= last && ids.size > 0; sequence++) {
    const collection = ids.get(idOf(sequence));
    if (collection) {
      return `meta.sequence ${data.meta.sequence} would hand out ${collection}["${idOf(sequence)}"] again at sequence ${sequence}; set it to at least ${sequence}`;
    }
  }
  return undefined;
}

export function isCollection(name: unknown): name is CollectionName {
  return typeof name === 'string' && Object.hasOwn(RECORD_SCHEMAS, name);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
