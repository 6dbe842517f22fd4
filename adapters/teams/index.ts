/**
 * Microsoft Teams, through botbuilder's CloudAdapter. This is the only file the composition
 * root imports, and its surface uses plain Node and core types, so moving to the Microsoft 365
 * Agents SDK (@microsoft/agents-hosting) changes this folder and nothing else.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudAdapter } from 'botbuilder';
import type { Logger } from 'pino';
import type { Bot } from '../../src/bot.js';
import type { Notifier } from '../../src/model.js';
import { ActivitySchema } from './activity.js';
import { SentCards } from './collapse.js';
import { ReusedConnectorsAuthentication } from './connectors.js';
import { captureResponse, HttpError, readJson, sendError, sendJson } from './http.js';
import { TeamsNotifier } from './notifier.js';
import { ReferenceStore } from './references.js';
import { createTurnLogic } from './turn.js';

/** Teams settings, under botbuilder's standard names in src/config.ts. */
export interface TeamsSettings {
  /** MicrosoftAppId. Without it the endpoint accepts unauthenticated requests (local testing). */
  appId?: string;
  /** MicrosoftAppPassword. */
  appPassword?: string;
  /** MicrosoftAppTenantId, for single-tenant bots. */
  tenantId?: string;
  /** MicrosoftAppType: MultiTenant, SingleTenant or UserAssignedMSI. */
  appType?: string;
  /** TEAMS_NOTIFY_CHANNEL: a channel id for people the bot has no personal chat with. */
  notifyChannel?: string;
}

/** Options for createTeamsAdapter. */
export interface TeamsAdapterOptions {
  bot: Pick<Bot, 'handle'>;
  logger: Logger;
  /** DATA_DIR; conversation references are kept in teams-references.json there. */
  dataDir: string;
  settings: TeamsSettings;
  /**
   * botbuilder's overridable auth endpoints (ToBotFromChannelOpenIdMetadataUrl and the rest);
   * for sovereign clouds and offline tests. Set all eight or none.
   */
  authOverrides?: Record<string, string>;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
}

/** The Teams endpoint, ready to mount on the web server. */
export interface TeamsEndpoint {
  path: '/api/messages';
  /** Handles POST /api/messages. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Delivers the core's later messages to Teams users (platform 'teams'). */
  notifier: Notifier;
  /** Waits for pending writes. The HTTP server is the caller's to close. */
  close(): Promise<void>;
}

/** Builds the Teams endpoint and notifier over the platform-neutral bot. */
export async function createTeamsAdapter(opts: TeamsAdapterOptions): Promise<TeamsEndpoint> {
  const logger = opts.logger.child({ adapter: 'teams' });
  const { settings } = opts;
  const appId = settings.appId ?? '';
  const authEnabled = appId !== '';
  if (!authEnabled) {
    logger.warn(
      '!!! Teams endpoint /api/messages is running WITHOUT AUTHENTICATION because MicrosoftAppId is not set. Anyone who can reach it can talk to the bot as anyone. Use this only for local testing; set MicrosoftAppId and MicrosoftAppPassword in production. !!!',
    );
  }
  const auth = new ReusedConnectorsAuthentication({
    MicrosoftAppId: appId,
    MicrosoftAppPassword: settings.appPassword ?? '',
    ...(settings.tenantId ? { MicrosoftAppTenantId: settings.tenantId } : {}),
    ...(settings.appType ? { MicrosoftAppType: settings.appType } : {}),
    ...opts.authOverrides,
  });
  const adapter = new CloudAdapter(auth);
  const refs = await ReferenceStore.open(opts.dataDir, logger);
  const cards = new SentCards();
  const logic = createTurnLogic({ bot: opts.bot, refs, cards, logger });
  adapter.onTurnError = async (ctx, err) => {
    logger.error({ err, activityType: ctx.activity.type }, 'Teams turn failed');
    // If Teams itself refused our reply, another reply would only fail the same way.
    if ((err as { statusCode?: number }).statusCode) return;
    await ctx
      .sendActivity('Sorry, something went wrong on our side. Please try again in a moment.')
      .catch(() => undefined);
  };
  const notifier = new TeamsNotifier({
    adapter,
    appId,
    refs,
    cards,
    logger,
    ...(settings.notifyChannel ? { notifyChannel: settings.notifyChannel } : {}),
  });
  const maxBody = opts.maxBodyBytes ?? 256 * 1024;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method !== 'POST')
        throw new HttpError(405, 'method_not_allowed', 'Use POST for /api/messages.');
      const body = await readJson(req, maxBody);
      const parsed = ActivitySchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? `"${issue.path.join('.')}" ` : '';
        throw new HttpError(
          400,
          'bad_activity',
          `Not a valid activity: ${where}${issue?.message ?? ''}`.trim(),
        );
      }
      // Cheap refusal for the commonest unauthenticated request, before botbuilder logs it.
      if (authEnabled && !req.headers.authorization)
        throw new HttpError(401, 'unauthorized', 'Missing Authorization header.');
      const capture = captureResponse();
      await adapter.process(
        { method: 'POST', headers: req.headers, body: parsed.data },
        capture.res,
        logic,
      );
      const { status, body: out } = await capture.done;
      if (status < 300) return sendJson(res, status, out ?? undefined);
      // botbuilder answers some bad tokens (a forged signature, a malformed JWT) with 500.
      if (status === 401 || (authEnabled && status === 500 && looksLikeTokenError(out)))
        throw new HttpError(401, 'unauthorized', 'The request is not authorised.');
      logger.error({ status, detail: String(out ?? '').slice(0, 200) }, 'Teams activity failed');
      throw new HttpError(
        status,
        status >= 500 ? 'internal' : 'bad_request',
        'The activity could not be processed.',
      );
    } catch (err) {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) return sendError(res, err);
      logger.error({ err }, 'Teams request failed');
      sendError(res, new HttpError(500, 'internal', 'Something went wrong on our side.'));
    }
  }

  return {
    path: '/api/messages',
    handle,
    notifier,
    close: () => refs.flush(),
  };
}

/** True for jsonwebtoken's messages ("invalid signature", "jwt malformed", "jwt expired"...). */
function looksLikeTokenError(body: unknown): boolean {
  const text = typeof body === 'string' ? body : String((body as Error | undefined)?.message ?? '');
  return /\b(jwt|token|signature|unauthori[sz]ed)\b/i.test(text);
}
