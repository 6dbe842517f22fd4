import pino, { type Logger } from 'pino';

/** Creates the root logger. User message text is only ever logged at debug level. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { app: 'sister-city-advisor' } }, destination);
}

/** A logger that writes nothing, for tests and the CLI. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
