/**
 * The Slack surface, on Bolt. It translates Slack events, commands and actions into the
 * core's neutral messages and the core's replies into Block Kit. No domain rule lives here.
 * Socket Mode when an app token is set; otherwise HTTP mode at /slack/events on the shared server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  App,
  type Logger as BoltLogger,
  HTTPReceiver,
  LogLevel,
  SocketModeReceiver,
} from '@slack/bolt';
import type { Logger } from 'pino';
import type { Bot } from '../../src/bot.js';
import type { Notifier } from '../../src/model.js';
import { HttpError, readBody, sendError } from './http.js';
import { registerListeners } from './listeners.js';
import { SlackNotifier } from './notifier.js';
import { requestRefusal } from './verify.js';

/** Slack settings, from src/config.ts. */
export interface SlackSettings {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl: string;
  notifyChannel?: string;
  /** Known ids skip the auth.test call at start-up (tests set these). */
  botId?: string;
  botUserId?: string;
  /** Socket Mode reconnects by default; tests turn it off. */
  autoReconnect?: boolean;
}

/** A running Slack surface. */
export interface SlackAdapter {
  mode: 'socket' | 'http';
  /** HTTP mode: the route to mount on the shared server. */
  path?: '/slack/events';
  handle?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  notifier: Notifier;
  app: App;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  return {
    // Bolt and its Web API client log several debug lines per call: skip building them.
    debug: (...m: unknown[]) => {
      if (logger.isLevelEnabled('debug')) logger.debug({ bolt: m.map(String).join(' ') });
    },
    info: (...m: unknown[]) => logger.info({ bolt: m.map(String).join(' ') }),
    warn: (...m: unknown[]) => logger.warn({ bolt: m.map(String).join(' ') }),
    error: (...m: unknown[]) => logger.error({ bolt: m.map(String).join(' ') }),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/** Bolt's own default body limit for HTTP mode. */
const DEFAULT_MAX_BODY = 4 * 1024 * 1024;

/** Builds the Slack surface. Call `start()` to connect (Socket Mode) or mount `handle` (HTTP mode). */
export function createSlackAdapter(opts: {
  bot: Bot;
  logger: Logger;
  settings: SlackSettings;
  /** HTTP mode: largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /**
   * The core store's "first time this key is seen" (`Store.firstSeen`), so a retry of an event
   * is recognised by every replica. Without it, each process remembers what it has seen.
   */
  firstSeen?: (key: string) => Promise<boolean>;
  /**
   * How long to wait for `firstSeen` before handling the event anyway (default 2000 ms): a
   * database that hangs must not swallow events that Slack, having had its ack, never resends.
   */
  seenTimeoutMs?: number;
}): SlackAdapter {
  const { settings } = opts;
  const logger = opts.logger.child({ surface: 'slack' });
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const clientOptions = { slackApiUrl: settings.apiUrl, retryConfig: { retries: 0 } };
  const common = {
    token: settings.botToken,
    clientOptions,
    logger: boltLogger(logger),
    ...(settings.botId ? { botId: settings.botId } : {}),
    ...(settings.botUserId
      ? { botUserId: settings.botUserId, tokenVerificationEnabled: false }
      : {}),
  };
  let app: App;
  let http: HTTPReceiver | undefined;
  if (settings.appToken) {
    const receiver = new SocketModeReceiver({
      appToken: settings.appToken,
      installerOptions: { clientOptions },
      logger: boltLogger(logger),
      autoReconnectEnabled: settings.autoReconnect ?? true,
    });
    app = new App({ ...common, socketMode: true, receiver });
  } else {
    if (!settings.signingSecret) throw new Error('Slack HTTP mode needs SLACK_SIGNING_SECRET');
    http = new HTTPReceiver({
      signingSecret: settings.signingSecret,
      endpoints: '/slack/events',
      // Ack first, then work: Slack wants an answer within 3 seconds.
      processBeforeResponse: false,
      bodyLimit: maxBody,
      logger: boltLogger(logger),
    });
    app = new App({ ...common, receiver: http });
  }
  const notifier = new SlackNotifier(app.client, logger, settings.notifyChannel);
  registerListeners(app, opts.bot, logger, opts.firstSeen, opts.seenTimeoutMs);
  const receiver = http;
  const { signingSecret } = settings;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!receiver || !signingSecret) return;
    try {
      const body = await readBody(req, maxBody);
      const refusal = requestRefusal({
        headers: req.headers,
        body,
        signingSecret,
        nowMs: Date.now(),
      });
      if (refusal) {
        logger.warn({ status: refusal.status }, `slack request refused: ${refusal.message}`);
        throw refusal;
      }
      // Bolt reads the body itself unless the request already carries it as `rawBody` (its
      // BufferedIncomingMessage); ours was read under our limit, with an early close.
      Object.assign(req, { rawBody: body });
      await receiver.requestListener(req, res);
    } catch (err) {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) return sendError(res, err);
      logger.error({ err }, 'Slack request failed');
      sendError(res, new HttpError(500, 'internal', 'Something went wrong on our side.'));
    }
  }

  return {
    mode: receiver ? 'http' : 'socket',
    notifier,
    app,
    ...(receiver
      ? {
          path: '/slack/events' as const,
          handle,
        }
      : {}),
    async start() {
      if (!receiver) await app.start();
    },
    async stop() {
      if (!receiver) await app.stop();
    },
  };
}
