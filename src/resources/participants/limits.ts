import type { FieldErrors } from '../../http/problems.js';

/**
 * Rule lengths-count-utf16: the Fruxon API is .NET, whose `string.Length` counts UTF-16 code units, so an
 * emoji counts 2. JSON Schema's `maxLength` (ajv) counts code points, which is never stricter, so the spec
 * keeps the documented limits and these checks are the binding ones.
 */
export const LIMITS = {
  displayName: { min: 1, max: 150 },
  patchedDisplayName: { min: 0, max: 150 },
  email: { min: 0, max: 4000 },
  address: { min: 0, max: 4000 },
} as const;

/** Adds an error for `field` when `value` (if a string) is outside the limit of `kind`, in UTF-16 code units. */
export function checkLength(errors: FieldErrors, field: string, value: unknown, kind: keyof typeof LIMITS): void {
  if (typeof value !== 'string') return;
  const { min, max } = LIMITS[kind];
  const units = value.length;
  if (units > max) {
    (errors[field] ??= []).push(`must NOT have more than ${max} characters (UTF-16 code units); it has ${units}`);
  } else if (units < min) {
    (errors[field] ??= []).push(`must NOT have fewer than ${min} characters (UTF-16 code units)`);
  }
}
