import { createHash } from 'node:crypto';
import type { Faker } from '@faker-js/faker';
// The English entry alone: the package's main entry loads all 70 locales, 150 ms of every start.
import { faker as english } from '@faker-js/faker/locale/en';

const FakerClass = english.constructor as new (options: { locale: Faker['rawDefinitions'] }) => Faker;

/** Milliseconds since the Unix epoch. */
export type Clock = () => number;

/** The wall clock. */
export const systemClock: Clock = () => Date.now();

/**
 * A clock for reproducible runs: starts at `startMs` and advances one millisecond on every reading, so
 * timestamps are distinct, ordered and the same on every run.
 */
export function logicalClock(startMs: number): Clock {
  let now = startMs - 1;
  return () => (now += 1);
}

/**
 * Seeded sources of server-owned values. Every value is a pure function of the seed and a sequence
 * number the store hands out, so the same seed and the same requests give the same values, and a
 * restarted server never repeats an id it already gave out.
 */
export class Generator {
  private readonly faker = new FakerClass({ locale: english.rawDefinitions });

  constructor(readonly seed: number) {}

  /** A lowercase version-4-shaped UUID for the given sequence number and purpose. */
  uuid(sequence: number | string, purpose = 'id'): string {
    return uuidFromBytes(createHash('sha256').update(`${this.seed}:${sequence}:${purpose}`).digest());
  }

  /** The seeded faker, positioned for the given sequence number and purpose. */
  fakerFor(sequence: number | string, purpose = 'fields'): Faker {
    const digest = createHash('sha256').update(`${this.seed}:${sequence}:${purpose}`).digest();
    this.faker.seed([digest.readUInt32BE(0), digest.readUInt32BE(4), digest.readUInt32BE(8)]);
    return this.faker;
  }
}

const MAX_CACHED_NAMES = 10_000;
const nameUuids = new Map<string, string>();

/** A name-based UUID (same input, same UUID), e.g. the `tenantId` behind a tenant slug. */
export function nameUuid(name: string): string {
  let uuid = nameUuids.get(name);
  if (uuid === undefined) {
    // A pure function of the name, hashed once per name: tenants are few and asked for on every write.
    if (nameUuids.size >= MAX_CACHED_NAMES) nameUuids.clear();
    nameUuids.set(name, (uuid = uuidFromBytes(createHash('sha256').update(`fruxon-mock:${name}`).digest())));
  }
  return uuid;
}

function uuidFromBytes(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
