import pino, { type Logger } from 'pino';

/**
 * Creates the root logger. User message text is only ever logged at debug level.
 * Without a destination it writes to stdout asynchronously: a log line never blocks a request
 * on a write to a slow terminal or pipe, lines written while one write is in flight go out
 * together, and pino flushes what is left when the process exits.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { app: 'sister-city-advisor' } },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that writes nothing, for tests and the CLI. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
