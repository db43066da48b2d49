import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/spec.js';

/** The built CLI; `npm test` builds before it runs the tests. */
export const BIN = join(PACKAGE_ROOT, 'dist', 'src', 'bin.js');

export type CliProcess = {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the URL once the CLI prints it; rejects if it exits first. */
  url: Promise<string>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Everything printed so far, stdout and stderr. */
  output: () => string;
};

/** Starts the real CLI as its own process. */
export function startCli(args: string[]): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.on('exit', () => reject(new Error(`exited before listening: ${out}`)));
  });
  return { child, url, exited, output: () => out };
}
