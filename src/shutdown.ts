import type { Logger } from 'pino';

/** One thing to stop or close on the way out. */
export interface ShutdownStep {
  name: string;
  run(): Promise<unknown> | unknown;
  /** Overrides the default time limit for this step. */
  timeoutMs?: number;
}

/**
 * Runs shutdown steps in order. A step that throws, rejects or takes longer than `timeoutMs`
 * is logged and the next one still runs, so one stuck connection or an undeletable lock file
 * never stops the data from being flushed, and shutdown itself never crashes. Resolves with
 * true when every step finished cleanly.
 */
export async function runShutdown(
  steps: ShutdownStep[],
  logger: Logger,
  timeoutMs = 10_000,
): Promise<boolean> {
  let clean = true;
  for (const step of steps) {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), step.timeoutMs ?? timeoutMs);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(() => step.run()), timedOut]);
      if (outcome === 'timeout') {
        clean = false;
        logger.error(
          { step: step.name, timeoutMs: step.timeoutMs ?? timeoutMs },
          'shutdown step timed out; carrying on',
        );
      }
    } catch (err) {
      clean = false;
      logger.error({ err, step: step.name }, 'shutdown step failed; carrying on');
    } finally {
      clearTimeout(timer);
    }
  }
  return clean;
}
