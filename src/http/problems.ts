/**
 * Every error the mock sends is one of these named templates, serialised as RFC 9457
 * `application/problem+json`. The `type` URIs are the ones ASP.NET Core (the real Fruxon API's stack) uses
 * for each status; `code` names the template so a client test can tell two 400s apart.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const STATUS_TYPES: Record<number, { type: string; title: string }> = {
  400: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1', title: 'Bad Request' },
  401: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.2', title: 'Unauthorized' },
  403: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.4', title: 'Forbidden' },
  404: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.5', title: 'Not Found' },
  405: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.6', title: 'Method Not Allowed' },
  409: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.10', title: 'Conflict' },
  413: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.14', title: 'Content Too Large' },
  415: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.16', title: 'Unsupported Media Type' },
  421: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.20', title: 'Misdirected Request' },
  422: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.21', title: 'Unprocessable Content' },
  500: { type: 'https://tools.ietf.org/html/rfc9110#section-15.6.1', title: 'Internal Server Error' },
  502: { type: 'https://tools.ietf.org/html/rfc9110#section-15.6.3', title: 'Bad Gateway' },
  503: { type: 'https://tools.ietf.org/html/rfc9110#section-15.6.4', title: 'Service Unavailable' },
  507: { type: 'https://tools.ietf.org/html/rfc4918#section-11.5', title: 'Insufficient Storage' },
};

/** Field path -> messages, as ASP.NET's ValidationProblemDetails shapes `errors`. */
export type FieldErrors = Record<string, string[]>;

export type ProblemBody = {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  errors?: FieldErrors;
  [extension: string]: unknown;
};

type Template = { status: number; code: string; title?: string };

/** The named problem templates. */
export const PROBLEMS = {
  validation: { status: 400, code: 'VALIDATION_FAILED', title: 'One or more validation errors occurred.' },
  malformedJson: { status: 400, code: 'MALFORMED_JSON', title: 'The request body is not valid JSON.' },
  configNotPublished: { status: 400, code: 'CONFIG_NOT_PUBLISHED', title: 'The config has no published revision.' },
  configHasNoAuth: { status: 400, code: 'CONFIG_HAS_NO_AUTH', title: 'The config has neither auth nor authMap.' },
  unknownAuthMethod: { status: 400, code: 'UNKNOWN_AUTH_METHOD', title: 'The integration has no such auth method.' },
  invalidCredentialKey: { status: 400, code: 'INVALID_OAUTH_CREDENTIAL_KEY', title: 'The OAuth credential key cannot be used.' },
  invalidReference: { status: 400, code: 'INVALID_REFERENCE', title: 'The request refers to something that does not exist.' },
  immutableField: { status: 400, code: 'IMMUTABLE_FIELD', title: 'The field cannot be changed after creation.' },
  // Integration catalog writes and config webhooks (src/resources/catalog, src/resources/configs/webhooks.ts).
  integrationHasConfigs: { status: 400, code: 'INTEGRATION_HAS_CONFIGS', title: 'The integration still has configs.' },
  verificationUnsupported: { status: 400, code: 'VERIFICATION_NOT_SUPPORTED', title: 'The auth method does not support verification.' },
  webhookPerBinding: { status: 400, code: 'WEBHOOK_OWNED_PER_BINDING', title: 'The integration owns its webhooks per binding.' },
  webhooksUnsupported: { status: 400, code: 'WEBHOOKS_NOT_SUPPORTED', title: 'The integration receives no inbound webhooks.' },
  webhookKeyBound: { status: 400, code: 'WEBHOOK_KEY_ALREADY_BOUND', title: 'The config already has a webhook key.' },
  webhookKeyMissing: { status: 400, code: 'WEBHOOK_KEY_NOT_BOUND', title: 'The config has no webhook key yet.' },
  providerUnsupported: { status: 400, code: 'PROVIDER_OPERATION_NOT_SUPPORTED', title: 'The provider offers no API for this.' },
  // Participant messaging and access requests (src/resources/messaging).
  invalidAddress: { status: 400, code: 'INVALID_ADDRESS', title: 'The address does not fit the integration\'s address format.' },
  channelNotOnParticipant: { status: 400, code: 'CHANNEL_NOT_ON_PARTICIPANT', title: 'The participant has no such channel.' },
  noAvatarSource: { status: 400, code: 'NO_AVATAR_SOURCE', title: 'The provider has no avatar source.' },
  providerNotConnected: { status: 400, code: 'PROVIDER_NOT_CONNECTED', title: 'The provider credentials are not connected.' },
  noAvatarImage: { status: 400, code: 'NO_AVATAR_IMAGE', title: 'The provider has no image for the address.' },
  accessRequestNotPending: { status: 400, code: 'ACCESS_REQUEST_NOT_PENDING', title: 'The access request is not pending.' },
  // agents (issue 13): src/resources/agents.
  agentNotPendingDelete: { status: 400, code: 'AGENT_NOT_PENDING_DELETE', title: 'The agent is not pending deletion.' },
  agentNotDeployed: { status: 400, code: 'AGENT_NOT_DEPLOYED', title: 'The agent has no deployed revision.' },
  slotNotDeclared: { status: 400, code: 'SLOT_NOT_DECLARED', title: "The agent's current revision declares no such slot." },
  slotKindMismatch: { status: 400, code: 'SLOT_KIND_MISMATCH', title: "The participant's kind does not fit the slot." },
  configInUse: { status: 400, code: 'CONFIG_IN_USE', title: 'Agents still reference the config.' },
  // The mock's own access rules (src/control/rules.ts).
  controlTokenMissing: { status: 401, code: 'CONTROL_TOKEN_REQUIRED', title: 'The control plane needs its token.' },
  crossOriginControl: { status: 403, code: 'CROSS_ORIGIN_CONTROL', title: 'The control plane does not answer other origins.' },
  secretsNeedToken: { status: 403, code: 'SECRETS_NEED_CONTROL_TOKEN', title: 'Exporting secrets needs a control token.' },
  consentTokenInvalid: { status: 403, code: 'CONSENT_TOKEN_INVALID', title: 'The consent form is not one this mock issued.' },
  hostNotAllowed: { status: 421, code: 'HOST_NOT_ALLOWED', title: 'The mock does not answer to this host name.' },
  notFound: { status: 404, code: 'NOT_FOUND', title: 'Not Found' },
  routeNotFound: { status: 404, code: 'ROUTE_NOT_FOUND', title: 'No such route.' },
  methodNotAllowed: { status: 405, code: 'METHOD_NOT_ALLOWED', title: 'Method Not Allowed' },
  payloadTooLarge: { status: 413, code: 'PAYLOAD_TOO_LARGE', title: 'Content Too Large' },
  unsupportedMediaType: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', title: 'Unsupported Media Type' },
  unprocessable: { status: 422, code: 'UNPROCESSABLE', title: 'Unprocessable Content' },
  // The test kit's verify (src/control/verify.ts).
  verificationFailed: { status: 422, code: 'VERIFICATION_FAILED', title: 'The requests received do not match the verification.' },
  injectedFault: { status: 500, code: 'INJECTED_FAULT', title: 'Injected fault' },
  internal: { status: 500, code: 'INTERNAL_ERROR', title: 'Internal Server Error' },
  storageUnavailable: { status: 503, code: 'STORE_UNAVAILABLE', title: 'The store could not be written.' },
  storageFull: { status: 507, code: 'STORE_FULL', title: 'The store\'s disk is full.' },
} as const satisfies Record<string, Template>;

export type ProblemName = keyof typeof PROBLEMS;

/** An error that becomes a problem response at the edge. Throw it from any handler or service. */
export class ProblemError extends Error {
  readonly status: number;
  readonly body: Omit<ProblemBody, 'instance'>;
  readonly headers: Record<string, string>;

  constructor(
    template: Template,
    detail: string,
    extras: { errors?: FieldErrors; headers?: Record<string, string>; [k: string]: unknown } = {},
  ) {
    super(detail);
    const { headers = {}, errors, ...extensions } = extras;
    this.status = template.status;
    this.headers = headers;
    this.body = {
      type: typeForStatus(template.status),
      title: template.title ?? titleForStatus(template.status),
      status: template.status,
      detail,
      code: template.code,
      ...(errors ? { errors } : {}),
      ...extensions,
    };
  }
}

/** Shorthand for the usual call sites. */
export function problem(name: ProblemName, detail: string, extras?: ConstructorParameters<typeof ProblemError>[2]) {
  return new ProblemError(PROBLEMS[name], detail, extras);
}

export function typeForStatus(status: number): string {
  return STATUS_TYPES[status]?.type ?? 'about:blank';
}

export function titleForStatus(status: number): string {
  return STATUS_TYPES[status]?.title ?? 'Error';
}

/** A problem for a bare status, used by fault injection. */
export function problemForStatus(status: number, detail: string): ProblemError {
  return new ProblemError({ status, code: `HTTP_${status}`, title: titleForStatus(status) }, detail);
}

/** Builds the single-field error map most rules need. */
export function fieldError(field: string, message: string): FieldErrors {
  return { [field]: [message] };
}
