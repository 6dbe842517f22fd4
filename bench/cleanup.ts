/**
 * Clean-up for a benchmark that starts things outside itself (a PostgreSQL cluster runs in its
 * own session, so Ctrl-C would leave it running): the clean-up runs once only, whether the run
 * ends or is interrupted (two at once would race to delete).
 */

/**
 * Wraps `stop` so it runs once, and runs it on SIGINT or SIGTERM before exiting with 130.
 * Call the returned function at the end of the run as well.
 */
export function cleanupOnInterrupt(stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const cleanup = () => {
    stopping ??= stop();
    return stopping;
  };
  const interrupted = () => {
    // Connections the stop cuts emit errors that nothing waits for now: the run is over.
    process.on('uncaughtException', () => undefined);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  return cleanup;
}
