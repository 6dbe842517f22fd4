/** Small promise tools for concurrency tests: they wait for events, never for wall-clock times. */

/** A promise with its resolve function outside, to let one task wait for another. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Resolves with `promise`'s value, or rejects saying `what` did not happen when it has not
 * settled within `ms`: a deadlock fails the test quickly instead of at the test timeout.
 */
export async function settlesWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` until it returns true; rejects saying what was awaited after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Lets other tasks run for about `ms` (to give a wrong interleaving its chance to happen). */
export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
