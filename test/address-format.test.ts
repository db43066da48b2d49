import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findIntegration } from '../src/catalog/catalog.js';
import { fitsAddressFormat } from '../src/resources/participants/reach.js';
import { loadFixtures } from '../src/catalog/load.js';
import { DEFAULT_FIXTURES_DIR } from '../src/spec.js';
import { makeHarness } from './helpers.js';
import { P, configOf, createParticipant } from './participant-helpers.js';

/** The e-mail format as first written: right answers, but quadratic backtracking on a long run of dots. */
const QUADRATIC_EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** An address made to make a backtracking pattern retry, 4,000 characters (the longest allowed), tagged to tell them apart. */
function crafted(kind: number, tag: string): string {
  const local = `a${tag}@`;
  const domain = [() => '.'.repeat(4000), () => 'a.'.repeat(2000), () => 'b.'.repeat(2000)][kind % 3]!();
  return (local + domain).slice(0, 3999) + (kind % 2 ? ' ' : '@');
}
const CRAFTED = [0, 1, 2].map((kind) => crafted(kind, ''));

describe('participant-health-computed: address formats', () => {
  it('the e-mail format accepts exactly what it accepted before, without its backtracking', () => {
    const email = findIntegration(loadFixtures(DEFAULT_FIXTURES_DIR), 'email')!;
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '.', '@', ' ', 'é'), maxLength: 14 }), (address) => {
        expect(fitsAddressFormat(email, address)).toBe(QUADRATIC_EMAIL.test(address));
      }),
      { numRuns: 5000 },
    );
    for (const address of ['ada@example.com', 'a@b.c', 'a@.b.c', 'a@b..c', '.a@b.c']) expect(fitsAddressFormat(email, address)).toBe(true);
    for (const address of ['ada@example', 'a@b.', 'a@.b', 'a b@c.d', 'a@b@c.d', ...CRAFTED]) expect(fitsAddressFormat(email, address)).toBe(false);
  });

  // With the quadratic pattern this list took over a minute (each of the 1,250 addresses ~50 ms, at create and
  // again at list); bench/address-formats.ts times each pattern on the crafted addresses.
  it('a list of 25 participants with 50 crafted e-mail addresses each answers, every channel INVALID_FORMAT', async () => {
    const h = await makeHarness({ app: { validateResponses: false } });
    const email = await configOf(h, 'email');
    for (let i = 0; i < 25; i++) {
      const channels = Array.from({ length: 50 }, (_, j) => ({ integrationConfigId: email, address: crafted(j, `${i}-${j}`) }));
      await createParticipant(h, { displayName: `p${i}`, channels });
    }
    const res = await h.api.get(P);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(25);
    for (const participant of res.body as { health: { reachable: boolean; reason: string; channels: { reason: string }[] } }[]) {
      expect(participant.health).toMatchObject({ reachable: false, reason: 'INVALID_FORMAT' });
      expect(participant.health.channels.every((c) => c.reason === 'INVALID_FORMAT')).toBe(true);
    }
  }, 20_000);
});
