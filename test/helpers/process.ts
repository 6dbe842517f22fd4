/** A bot started as a child process in a test: its output, readiness, and a clean stop. */
import type { ChildProcess } from 'node:child_process';

/** Everything the child writes (stdout and stderr), kept for later assertions. */
export interface ChildOutput {
  text(): string;
  /**
   * Resolves with `match(output)` once it returns something; rejects, with the output so far, if
   * the child exits first.
   */
  until<T>(match: (output: string) => T | undefined): Promise<T>;
}

export function watchOutput(child: ChildProcess): ChildOutput {
  let output = '';
  const waiting = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const check of waiting) check();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return {
    text: () => output,
    until: <T>(match: (output: string) => T | undefined) =>
      new Promise<T>((resolve, reject) => {
        const check = () => {
          const found = match(output);
          if (found === undefined) return;
          waiting.delete(check);
          resolve(found);
        };
        waiting.add(check);
        child.once('exit', (code) =>
          reject(new Error(`exited with ${code} before it was ready:\n${output}`)),
        );
        check();
      }),
  };
}

/** The chat's address from the start-up banner. */
export const bannerUrl = (output: string): URL | undefined => {
  const open = /Open (http:\/\/\S+) in your browser/.exec(output);
  return open?.[1] ? new URL(open[1]) : undefined;
};

/** Stops the child with SIGTERM (a clean shutdown) and waits for it to exit. */
export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
