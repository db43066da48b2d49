import { hostname, networkInterfaces } from 'node:os';

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '::0']);

/**
 * The host names a client reaching the mock at its listen address may send: that address, or on a wildcard
 * address (`0.0.0.0`, `::`) this machine's name and the addresses of its interfaces. Read at start-up, by
 * the process edge (`startServer`), never by the app.
 */
export function listenHostNames(host: string): string[] {
  if (!WILDCARDS.has(host)) return [host];
  const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address));
  return [host, hostname(), ...addresses];
}
