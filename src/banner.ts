/** What the start-up banner reports. */
export interface BannerInfo {
  /** The web chat's address. */
  url: string;
  /** True when the web chat listens beyond this machine. */
  exposed: boolean;
  slack?: { mode: 'socket' | 'http'; url?: string };
  teams?: { url: string; authenticated: boolean };
  llm?: { model: string };
  semantic?: { model: string };
  /** Present when cases go to the security contacts. */
  escalation?: { contactsFile: string; region?: string };
  /** Absolute paths. */
  dataDir: string;
  knowledgeDir: string;
  entries: number;
}

/**
 * The lines `npm start` prints once the bot is ready: where the chat is, which surfaces are
 * on (and how to turn the others on), and where data is kept. The first line is stable, for
 * scripts that wait for it.
 */
export function startupBanner(b: BannerInfo): string {
  const rows: [string, string][] = [
    [
      'Web chat',
      `${b.url}${b.exposed ? ' (reachable beyond this machine, with no login: put it behind your own access control)' : ''}`,
    ],
    [
      'Slack',
      b.slack
        ? b.slack.mode === 'socket'
          ? 'on, Socket Mode'
          : `on, events at ${b.slack.url ?? '/slack/events'}`
        : 'off (set SLACK_BOT_TOKEN to turn it on)',
    ],
    [
      'Teams',
      b.teams
        ? `on, messages at ${b.teams.url}${b.teams.authenticated ? '' : ' (no Microsoft app id: unauthenticated, for local testing only)'}`
        : 'off (set TEAMS_ENABLED=true to turn it on)',
    ],
    ['LLM answers', b.llm ? `on, ${b.llm.model}` : 'off (set LLM_BASE_URL to turn them on)'],
  ];
  if (b.semantic) rows.push(['Embeddings', `on, ${b.semantic.model}`]);
  rows.push(
    [
      'Cases',
      b.escalation
        ? `sent to the security contacts in ${b.escalation.contactsFile}; deadlines skip public holidays${b.escalation.region ? ` and ${b.escalation.region}'s anniversary day` : ' (set REGION for your anniversary day)'}`
        : 'recorded only, nobody is notified (ESCALATION_ENABLED=false)',
    ],
    ['Data', b.dataDir],
    ['Knowledge', `${b.knowledgeDir} (${b.entries} entries)`],
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    '',
    `Sister City Advisor is ready. Open ${b.url} in your browser.`,
    '',
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    '',
    'Press Ctrl+C to stop.',
    '',
    '',
  ].join('\n');
}
