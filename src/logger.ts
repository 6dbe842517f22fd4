import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

// pino-pretty is loaded only when readable lines are asked for (a terminal, or LOG_FORMAT=pretty):
// a service writing JSON never pays for it. Its CommonJS build loads synchronously.
const loadCommonJs = createRequire(import.meta.url);

/** How log lines are written: one JSON object a line, readable lines, or readable on a terminal only. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Options for the root logger. */
export interface LoggerOptions {
  /** Readable lines instead of JSON (see `prettyLogs`). */
  pretty?: boolean;
  /** Colours in readable lines; defaults to on when writing to a terminal. */
  colour?: boolean;
}

// Built once: constructing an Intl formatter is far slower than using one.
const NZ_CLOCK = new Intl.DateTimeFormat('en-NZ', {
  timeZone: 'Pacific/Auckland',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function nzClock(t: unknown): string {
  const at = new Date(Number(t));
  return Number.isNaN(at.getTime()) ? String(t) : NZ_CLOCK.format(at);
}

/** True when logs should be readable lines: asked for, or `auto` with a terminal to read them. */
export function prettyLogs(format: LogFormat, isTerminal: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && isTerminal);
}

/**
 * Creates the root logger. User message text is only ever logged at debug level. Readable
 * lines show New Zealand time and put a line's fields after its message.
 */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  opts: LoggerOptions = {},
): Logger {
  const options = { level, base: { app: 'sister-city-advisor' } };
  // JSON goes to stdout asynchronously: a log line never blocks a request on a slow terminal or
  // pipe, and pino flushes what is left when the process exits.
  if (!opts.pretty) return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
  const out = destination ?? process.stdout;
  const pretty = loadCommonJs('pino-pretty') as typeof PinoPretty;
  const stream = pretty({
    destination: out,
    colorize: opts.colour ?? (out === process.stdout && process.stdout.isTTY === true),
    singleLine: true,
    ignore: 'pid,hostname,app',
    // Synchronous, so the last lines before an exit are not lost.
    sync: true,
    // The raw epoch reaches the time prettifier, which shows it in New Zealand time.
    translateTime: false,
    customPrettifiers: { time: (t) => nzClock(t) },
  });
  return pino(options, stream);
}

/** A logger that writes nothing, for tests and the CLI. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
