/**
 * Every route on one server, as src/main.ts runs it with all surfaces on: the web API,
 * POST /slack/events (Slack HTTP mode, real Bolt, its Web API stubbed on loopback) and
 * POST /api/messages (Teams, real botbuilder, no auth as in local testing). Plus a tally of bytes the server read per
 * connection, and of rejections nobody handled.
 */
import type { Socket } from 'node:net';
import { createTeamsAdapter, type TeamsEndpoint } from '../../adapters/teams/index.js';
import { silentLogger } from '../../src/logger.js';
import { type SlackStack, startSlackStack } from '../slack/harness.js';

/** The running stack. */
export interface FullStack {
  url: URL;
  slack: SlackStack;
  teams: TeamsEndpoint;
  /** Bytes the server read on each connection so far, open or closed. */
  bytesRead(): number[];
  /** Unhandled rejections and uncaught exceptions seen while the stack ran. */
  crashes: unknown[];
  close(): Promise<void>;
}

/** Starts the web server with Slack (HTTP mode) and Teams mounted on it. */
export async function startFullStack(): Promise<FullStack> {
  const crashes: unknown[] = [];
  const onCrash = (err: unknown) => crashes.push(err);
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  const slack = await startSlackStack();
  const teams = await createTeamsAdapter({
    bot: slack.advisor.bot,
    logger: silentLogger(),
    dataDir: slack.dataDir,
    settings: {},
  });
  slack.web.mount({
    method: 'POST',
    path: teams.path,
    handler: (req, res) => teams.handle(req, res),
  });
  const sockets: Socket[] = [];
  slack.web.server.on('connection', (socket: Socket) => sockets.push(socket));
  return {
    url: slack.url,
    slack,
    teams,
    bytesRead: () => sockets.map((s) => s.bytesRead),
    crashes,
    async close() {
      await teams.close();
      await slack.close();
      process.off('unhandledRejection', onCrash);
      process.off('uncaughtException', onCrash);
    },
  };
}
