import type { Logger } from 'pino';
import { type Answer, answerText } from './answer.js';
import type { ChecklistFlow } from './checklist/flow.js';
import { type Clock, nzDay } from './clock.js';
import type { CaseConversation } from './escalation/conversation.js';
import { answerIds, type Knowledge } from './knowledge/index.js';
import { aiAssistedBlocks, entriesFor, type LlmAnswerer } from './llm/index.js';
import type { Action, Incoming, Reply, UserRef } from './model.js';
import {
  Actions,
  answerReply,
  askContactButton,
  errorReply,
  feedbackButtons,
  noticeReply,
  smallTalkReply,
} from './replies.js';
import type { Retriever } from './retrieval/index.js';
import { type Store, userKey } from './storage/types.js';

/** What the bot needs; the composition root supplies real parts, tests supply fakes. */
export interface BotDeps {
  knowledge: Knowledge;
  retriever: Retriever;
  store: Store;
  logger: Logger;
  clock: Clock;
  /** Longest message accepted, in characters. */
  maxMessageChars: number;
  /** Runs the pre-trip checklist, the debrief and the report form. */
  checklists: ChecklistFlow;
  /** Case buttons, prompts and the "cases" command. */
  cases: CaseConversation;
  /** Optional LLM rewrites of confident answers; absent unless LLM_BASE_URL is set. */
  llm?: LlmAnswerer;
}

/** Typed commands, recognised whatever the platform (Slack's /pretrip arrives as "pretrip"). */
export function detectCommand(
  text: string,
): 'pretrip' | 'my-trips' | 'debrief' | 'report' | 'cases' | undefined {
  const t = text
    .trim()
    .toLowerCase()
    .replace(/[.!]+$/, '');
  if (/^\/?(report|report a concern|raise a concern|make a report)$/.test(t)) return 'report';
  if (/^\/?(my )?(open )?cases$/.test(t)) return 'cases';
  if (/^\/?\s*(start (the |a )?)?pre[- ]?trip( (security )?checklist)?$/.test(t)) return 'pretrip';
  if (/^(show )?(my )?(trips|checklists)$/.test(t)) return 'my-trips';
  if (/^\/?debrief$/.test(t)) return 'debrief';
  return undefined;
}

/** The platform-neutral bot. */
export interface Bot {
  /** Handles one incoming message and returns the replies to show. */
  handle(incoming: Incoming): Promise<Reply[]>;
  /** A home page for the user: what the bot does, their trips and cases (open cases for a contact). */
  home(user: UserRef): Promise<Reply[]>;
}

// Control characters (other than tab and newline) have no place in a question.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

// Checklists, reports and cases hold personal and sensitive details, so they happen only in a
// private chat. Contacts may still act on case cards posted to a (private) notify channel.
const PRIVATE_COMMANDS = new Set(['pretrip', 'report', 'debrief', 'my-trips', 'cases']);
const PRIVATE_ACTIONS = /^(checklist:|case:(ask|reply|list|show)$)/;

/** True when a channel message asks for something that belongs in a private chat. */
function privateOnly(incoming: Incoming): boolean {
  if (incoming.conversation.kind === 'direct') return false;
  if (incoming.action) return PRIVATE_ACTIONS.test(incoming.action.id);
  const command = detectCommand(incoming.text);
  return command !== undefined && PRIVATE_COMMANDS.has(command);
}

const PRIVATE_REPLY: Reply = {
  kind: 'notice',
  blocks: [
    {
      type: 'notice',
      tone: 'info',
      text: 'For your privacy, checklists, reports and cases happen only in a private chat with me. Open a direct chat with Sister City Advisor and type the command there.',
    },
  ],
};

/** Creates the bot from its dependencies. */
export function createBot(deps: BotDeps): Bot {
  const { knowledge, retriever, store, logger, clock } = deps;
  const ids = answerIds(knowledge);
  const isAnswerId = (id: string) => ids.has(id);

  /** Rewrites a confident answer with the LLM; any failure keeps the extractive answer. */
  async function withLlm(result: Answer, question: string, actor: string): Promise<Reply> {
    const { llm } = deps;
    const entries = llm && result.answered && result.retrieval ? entriesFor(result.retrieval) : [];
    const top = result.top;
    if (!llm || !entries.length || !top) return result.reply;
    const outcome = await llm.answer({ question, userKey: actor, entries });
    if (!outcome.ok) {
      logger.info(
        { user: actor, reason: outcome.reason },
        'llm answer not used; extractive answer shown',
      );
      return result.reply;
    }
    return {
      kind: 'answer',
      entryId: top.entry.id,
      score: top.score,
      blocks: [
        ...aiAssistedBlocks(outcome),
        feedbackButtons(top.entry.id),
        askContactButton(top.entry.id),
      ],
    };
  }

  async function answer(incoming: Incoming, question: string): Promise<Reply[]> {
    const result = answerText(knowledge, retriever, question, nzDay(clock.now()));
    if (result.reply.kind === 'small-talk') return [result.reply];
    const actor = userKey(incoming.user);
    const top = result.top;
    logger.info(
      {
        user: actor,
        platform: incoming.user.platform,
        answered: result.answered,
        entryId: result.answered ? result.reply.entryId : top?.entry.id,
        score: round(top?.score),
        coverage: round(top?.coverage),
      },
      result.answered ? 'answered' : 'no guidance',
    );
    logger.debug({ user: actor, question }, 'question text');
    // Not awaited: an answer must not wait behind other writes, and an audit line is not a user's step.
    void store
      .audit({
        at: clock.now().toISOString(),
        type: result.declined ? 'declined' : result.answered ? 'answered' : 'no-guidance',
        actor,
        data: result.declined
          ? { kind: result.declined }
          : result.answered
            ? { entryId: result.reply.entryId ?? null }
            : undefined,
      })
      .catch((err: unknown) => logger.error({ err }, 'audit write failed'));
    return [await withLlm(result, question, actor)];
  }

  async function onText(incoming: Incoming, raw: string): Promise<Reply[]> {
    const text = raw.replace(CONTROL, '').trim();
    if (text.length > deps.maxMessageChars) {
      return [
        errorReply(
          `That message is ${text.length.toLocaleString('en-NZ')} characters long. Please keep questions under ${deps.maxMessageChars.toLocaleString('en-NZ')} characters, or split it into shorter questions.`,
        ),
      ];
    }
    if (text === '') return [smallTalkReply('help')];
    const { checklists, cases } = deps;
    // A note or reply the bot asked for comes first: it is the answer to that question.
    // In a channel, text is only ever a question: a checklist step or a pending note belongs to
    // the private chat it started in.
    const inChannel = incoming.conversation.kind === 'channel';
    const prompted = inChannel ? undefined : await cases.onText(incoming, text);
    if (prompted) return prompted;
    const command = detectCommand(text);
    if (command === 'report') return checklists.start(incoming, 'report');
    if (command === 'cases') return cases.list(incoming);
    if (command === 'pretrip') return checklists.start(incoming, 'pretrip');
    if (command === 'my-trips') return checklists.myTrips(incoming.user);
    if (command === 'debrief') {
      const trips = await store.listTrips(userKey(incoming.user));
      const last = trips.filter((t) => t.checklist === 'pretrip').at(-1);
      return checklists.start(incoming, 'debrief', last?.id);
    }
    const inRun = inChannel ? undefined : await checklists.onText(incoming, text);
    if (inRun) return inRun;
    const replies = await answer(incoming, text);
    const reminder = inChannel ? undefined : await checklists.reminder(incoming.user);
    return reminder ? [...replies, reminder] : replies;
  }

  async function onAction(incoming: Incoming, action: Action): Promise<Reply[]> {
    if (action.id.startsWith('checklist:')) return deps.checklists.onAction(incoming, action);
    if (action.id.startsWith('case:')) return deps.cases.onAction(incoming, action);
    const value = action.value ?? '';
    switch (action.id) {
      case Actions.feedback: {
        const m = /^(up|down):(.+)$/.exec(value);
        const entryId = m?.[2];
        if (!m || !entryId || !isAnswerId(entryId)) {
          return [
            errorReply(
              "I couldn't record that feedback: the button looks out of date. Please ask the question again.",
            ),
          ];
        }
        const helpful = m[1] === 'up';
        const actor = userKey(incoming.user);
        await store.addFeedback({ at: clock.now().toISOString(), user: actor, entryId, helpful });
        logger.info({ user: actor, entryId, helpful }, 'feedback');
        return [
          noticeReply(
            'feedback',
            helpful
              ? 'Thanks for the feedback.'
              : "Thanks, I've noted that so the guidance can be improved. If you still need help, ask your council's security contact.",
            'success',
          ),
        ];
      }
      case Actions.showEntry: {
        const entry = knowledge.byId.get(value);
        if (!entry)
          return [
            errorReply(
              "I couldn't find that guidance. It may have been removed. Try asking your question again.",
            ),
          ];
        return [answerReply(entry, [], { today: nzDay(clock.now()) })];
      }
      case Actions.ask:
        return onText(incoming, value);
      case Actions.help:
        return [smallTalkReply('help')];
      default:
        logger.warn({ actionId: action.id.slice(0, 64) }, 'unknown action');
        return [
          errorReply(
            "I didn't recognise that button. It may be from an old message. Type your question instead.",
          ),
        ];
    }
  }

  return {
    async home(user) {
      const incoming: Incoming = {
        user,
        conversation: { id: `home:${user.id}`, kind: 'direct' },
        text: '',
      };
      const intro: Reply = {
        kind: 'notice',
        blocks: [
          {
            type: 'paragraph',
            text: "**Sister City Advisor**\n\nSourced answers on sister-city relationships, foreign interference and travel security, a pre-trip checklist, and a direct line to your council's security contact. Ask a question in a message, or:",
          },
          {
            type: 'buttons',
            buttons: [
              {
                id: 'checklist:start',
                label: 'Start pre-trip checklist',
                value: 'pretrip',
                style: 'primary',
              },
              { id: 'checklist:start', label: 'Report a concern', value: 'report' },
              { id: 'case:ask', label: 'Ask the security contact' },
            ],
          },
        ],
      };
      const [trips, cases] = await Promise.all([
        deps.checklists.myTrips(user),
        deps.cases.list(incoming),
      ]);
      return [intro, ...trips, ...cases];
    },
    async handle(incoming) {
      if (privateOnly(incoming)) return [PRIVATE_REPLY];
      if (incoming.action) return onAction(incoming, incoming.action);
      return onText(incoming, incoming.text ?? '');
    },
  };
}

function round(n: number | undefined): number | undefined {
  return n === undefined ? undefined : Math.round(n * 1000) / 1000;
}
