/**
 * The composition root: the one file in src/ allowed to import adapters. It reads the
 * settings, builds the platform-neutral advisor and starts the surfaces.
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createWebAccess } from '../adapters/web/auth/index.js';
import { mountCaseConsole } from '../adapters/web/console/cases.js';
import { knowledgeConsoleRoutes } from '../adapters/web/console/knowledge.js';
import { type ChatInbox, WebInbox } from '../adapters/web/inbox.js';
import { MetricsListener } from '../adapters/web/metrics.js';
import { WebServer } from '../adapters/web/server.js';
import { StoredInbox } from '../adapters/web/stored-inbox.js';
import { createAdvisor } from './app.js';
import { startupBanner } from './banner.js';
import { systemClock } from './clock.js';
import { checkWebExposure, isLoopbackHost, loadConfig, loadDotEnv } from './config.js';
import { isAdvisorError } from './errors.js';
import { findRegion, holidaysFor } from './escalation/holidays.js';
import { createLogger, prettyLogs } from './logger.js';
import type { Notifier, Platform } from './model.js';
import { runShutdown } from './shutdown.js';

/** How long after start-up the one collection of its garbage runs (see below). */
const COLLECT_AFTER_START_MS = 500;
/** How long after the server answers the scheduler first runs due work (ms). */
const FIRST_TICK_MS = 1000;

async function main(): Promise<void> {
  const started = performance.now();
  loadDotEnv();
  const config = loadConfig();
  // Before anything is opened: a web chat anyone can reach, with no sign-in, does not start.
  checkWebExposure(config);
  const logger = createLogger(config.LOG_LEVEL, undefined, {
    pretty: prettyLogs(config.LOG_FORMAT, process.stdout.isTTY === true),
  });
  // Platform SDKs are loaded only when their surface is on, so the web chat starts fast and
  // small; when one is on, its modules load while the knowledge is read and indexed.
  const slackModule = config.SLACK_BOT_TOKEN ? import('../adapters/slack/index.js') : undefined;
  const teamsModule = config.TEAMS_ENABLED ? import('../adapters/teams/index.js') : undefined;
  // A failed import is reported where it is awaited; until then it must not count as unhandled.
  slackModule?.catch(() => undefined);
  teamsModule?.catch(() => undefined);
  const notifiers = new Map<Platform, Notifier>();
  const advisor = await createAdvisor(config, logger, { notifiers, processMetrics: true });
  // With PostgreSQL the web inbox is kept in the database, so a page connected to any replica
  // gets what any replica sends; with the file store one process keeps it in memory.
  const stored = advisor.inboxStore ? new StoredInbox(advisor.inboxStore) : undefined;
  await stored?.start();
  const inbox: ChatInbox = stored ?? new WebInbox();
  notifiers.set('web', inbox);
  const signIn = createWebAccess({
    clock: systemClock,
    logger,
    contacts: () => advisor.cases?.contacts,
    ...(config.OIDC_ISSUER && config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET
      ? {
          oidc: {
            issuer: config.OIDC_ISSUER,
            clientId: config.OIDC_CLIENT_ID,
            clientSecret: config.OIDC_CLIENT_SECRET,
            publicUrl: config.PUBLIC_URL ?? '',
            sessionSecret: config.SESSION_SECRET ?? '',
          },
        }
      : {}),
  });
  const web = new WebServer({
    bot: advisor.bot,
    inbox,
    logger,
    access: signIn.access,
    health: () => ({
      entries: advisor.knowledge.entries.length,
      uptimeSeconds: Math.round(process.uptime()),
    }),
    ready: () => advisor.ready(),
    ...(config.METRICS_TOKEN && advisor.metrics
      ? { metrics: { source: advisor.metrics, token: config.METRICS_TOKEN } }
      : {}),
  });
  for (const route of signIn.routes) web.mount(route);
  if (advisor.cases) mountCaseConsole(web, { cases: advisor.cases, clock: systemClock, logger });
  for (const route of knowledgeConsoleRoutes({ access: signIn.access, curation: advisor.curation }))
    web.mount(route);
  void signIn.warm();
  const metrics =
    config.METRICS_PORT === undefined || !advisor.metrics
      ? undefined
      : new MetricsListener(advisor.metrics, logger);
  const slack =
    slackModule && config.SLACK_BOT_TOKEN
      ? (await slackModule).createSlackAdapter({
          bot: advisor.bot,
          logger,
          // Slack's retries are recognised by every replica that shares the store.
          firstSeen: (key: string) => advisor.store.firstSeen(key),
          settings: {
            botToken: config.SLACK_BOT_TOKEN,
            signingSecret: config.SLACK_SIGNING_SECRET,
            appToken: config.SLACK_APP_TOKEN,
            apiUrl: config.SLACK_API_URL,
            notifyChannel: config.SLACK_NOTIFY_CHANNEL,
          },
        })
      : undefined;
  if (slack) {
    notifiers.set('slack', slack.notifier);
    const { handle } = slack;
    if (handle)
      web.mount({ method: 'POST', path: '/slack/events', handler: (req, res) => handle(req, res) });
  }
  const teams = teamsModule
    ? await (await teamsModule).createTeamsAdapter({
        bot: advisor.bot,
        logger,
        dataDir: config.DATA_DIR,
        settings: {
          appId: config.MicrosoftAppId,
          appPassword: config.MicrosoftAppPassword,
          tenantId: config.MicrosoftAppTenantId,
          appType: config.MicrosoftAppType,
          notifyChannel: config.TEAMS_NOTIFY_CHANNEL,
        },
      })
    : undefined;
  if (teams) {
    notifiers.set('teams', teams.notifier);
    web.mount({ method: 'POST', path: teams.path, handler: (req, res) => teams.handle(req, res) });
  }
  const url = await web.listen(config.PORT, config.HOST);
  // Reminders, escalations and the weekly digest start a second after the server answers, so a
  // start (its health check and first questions) does not wait for a first tick that may send
  // messages and review the whole knowledge.
  advisor.scheduler.start(config.SCHEDULER_INTERVAL_MS, FIRST_TICK_MS);
  if (metrics && config.METRICS_PORT !== undefined) {
    const at = await metrics.listen(config.METRICS_PORT);
    logger.info({ url: at.href }, 'metrics listening on this machine only');
  }
  if (config.METRICS_TOKEN)
    logger.info(`metrics at ${new URL('/metrics', url).href} with the token`);
  const exposed = !isLoopbackHost(config.HOST);
  if (exposed && !config.OIDC_ISSUER) {
    logger.warn(
      { host: config.HOST },
      'ALLOW_UNAUTHENTICATED_WEB=true: the web chat and its consoles have no sign-in and are reachable beyond this machine, so anyone who can reach them can say they are the security contact or a curator. Keep them behind your own access control.',
    );
  }
  if (teams) logger.info(`teams messages at ${new URL(teams.path, url).href}`);
  if (slack) {
    await slack.start();
    logger.info(
      { mode: slack.mode },
      slack.mode === 'socket'
        ? 'slack connected in Socket Mode'
        : `slack events at ${new URL('/slack/events', url).href}`,
    );
  }
  // Registered before anything says the bot is ready, so a stop signal sent the moment it
  // does is handled, not fatal.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // A failing or stuck step is logged and skipped: shutdown never crashes, and the data
    // folder is always flushed and unlocked if it can be.
    const clean = await runShutdown(
      [
        { name: 'slack', run: () => slack?.stop() },
        { name: 'teams', run: () => teams?.close() },
        // Stops taking requests and lets turns in progress finish.
        { name: 'web server', run: () => web.close() },
        { name: 'web inbox', run: () => stored?.close() },
        { name: 'metrics', run: () => metrics?.close() },
        // Its own steps have their own time limits; this one only catches a hang among them.
        { name: 'advisor', run: () => advisor.close(), timeoutMs: 35_000 },
      ],
      logger,
    );
    logger.info({ clean }, 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // Start-up leaves garbage behind (parsed files, cache buffers, build-time scratch). Collect it
  // once, a moment after the bot is up, so the memory the process holds while idle is what it
  // keeps rather than what it happened to allocate on the way (about 20 MB). Needs --expose-gc,
  // which `npm start` passes; without it nothing happens.
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) setTimeout(collect, COLLECT_AFTER_START_MS).unref();
  const ms = Math.round(performance.now() - started);
  const surfaces = ['web', ...(slack ? ['slack'] : []), ...(teams ? ['teams'] : [])];
  const dataDir = resolve(config.DATA_DIR);
  logger.info(
    { url: url.href, surfaces, signIn: Boolean(config.OIDC_ISSUER), dataDir, startupMs: ms },
    'ready',
  );
  process.stdout.write(
    startupBanner({
      url: url.href,
      exposed: exposed && !config.OIDC_ISSUER,
      ...(slack
        ? {
            slack: {
              mode: slack.mode,
              ...(slack.mode === 'http' ? { url: new URL('/slack/events', url).href } : {}),
            },
          }
        : {}),
      ...(teams
        ? {
            teams: {
              url: new URL(teams.path, url).href,
              authenticated: Boolean(config.MicrosoftAppId),
            },
          }
        : {}),
      ...(config.LLM_BASE_URL ? { llm: { model: config.LLM_MODEL } } : {}),
      ...(config.EMBEDDINGS_BASE_URL ? { semantic: { model: config.EMBEDDINGS_MODEL } } : {}),
      ...(config.ESCALATION_ENABLED
        ? {
            escalation: {
              contactsFile: config.CONTACTS_FILE,
              ...(config.REGION ? { region: findRegion(config.REGION)?.name } : {}),
            },
          }
        : {}),
      dataDir,
      knowledgeDir: resolve(config.KNOWLEDGE_DIR),
      entries: advisor.knowledge.entries.length,
    }),
  );
  // Load the public holiday calendar soon, rather than when the first case is raised, but not in
  // the way of the first requests (a case raised before then loads it itself).
  if (config.ESCALATION_ENABLED)
    setTimeout(
      () => holidaysFor(config.REGION).warm(systemClock.now().getFullYear()),
      3000,
    ).unref();
}

main().catch((err: unknown) => {
  if (isAdvisorError(err)) {
    process.stderr.write(`\nSister City Advisor could not start [${err.code}]\n${err.message}\n\n`);
  } else {
    process.stderr.write(
      `\nSister City Advisor could not start:\n${(err as Error)?.stack ?? String(err)}\n\n`,
    );
  }
  process.exit(1);
});
