import type { Logger } from 'pino';
import { type Answer, type AnswerAids, answerQuestion } from './answer.js';
import type { ChecklistFlow } from './checklist/flow.js';
import { cleanIncoming, cleanUser } from './clean.js';
import { type Clock, nzDay } from './clock.js';
import type { UnansweredRecorder } from './curation/unanswered.js';
import type { SemanticIndex } from './embeddings/index.js';
import type { CaseConversation } from './escalation/conversation.js';
import { answerIds, type Entry, type Knowledge } from './knowledge/index.js';
import { type LimitKind, limitReply, type UsageLimits } from './limits.js';
import { aiAssistedBlocks, type EntryPicker, entriesFor, type LlmAnswerer } from './llm/index.js';
import type { Metrics } from './metrics.js';
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
  /** Optional dense ranking; absent unless EMBEDDINGS_BASE_URL is set. */
  semantic?: Pick<SemanticIndex, 'rank'>;
  /** Optional model pick when lexical retrieval is unsure; absent unless the LLM is set. */
  picker?: Pick<EntryPicker, 'pick'>;
  /** Per-user limits on messages, checklist starts and cases; none when absent. */
  limits?: UsageLimits;
  /** Counts answers by outcome and times them. */
  metrics?: Pick<Metrics, 'answer'>;
  /** Keeps refused and declined questions, redacted, for curators (only if RECORD_UNANSWERED). */
  unanswered?: Pick<UnansweredRecorder, 'record'>;
}

/** Typed commands, recognised whatever the platform (Slack's /pretrip arrives as "pretrip"). */
export function detectCommand(
  text: string,
): 'pretrip' | 'my-trips' | 'debrief' | 'report' | 'cases' | undefined {
  // Every command is short; a long text is a question (and /[.!]+$/ is quadratic on a long run of dots).
  if (text.length > 64) return undefined;
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
    const started = performance.now();
    const actor = userKey(incoming.user);
    const { semantic, picker } = deps;
    const aids: AnswerAids = {
      ...(semantic ? { dense: (q: string) => semantic.rank(q) } : {}),
      ...(picker
        ? {
            pick: async (q: string, candidates: Entry[]) => {
              const outcome = await picker.pick({ question: q, userKey: actor, candidates });
              return outcome.ok ? outcome.id : undefined;
            },
          }
        : {}),
    };
    const result = await answerQuestion(knowledge, retriever, question, nzDay(clock.now()), aids);
    if (result.reply.kind === 'small-talk') return [result.reply];
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
    const outcome = result.declined ? 'declined' : result.answered ? 'answered' : 'no-guidance';
    // Not awaited: an answer must not wait behind other writes, and an audit line is not a user's step.
    void store
      .audit({
        at: clock.now().toISOString(),
        type: outcome,
        actor,
        data: result.declined
          ? { kind: result.declined }
          : result.answered
            ? { entryId: result.reply.entryId ?? null }
            : undefined,
      })
      .catch((err: unknown) => logger.error({ err }, 'audit write failed'));
    // Both refusals and declines are kept (with their outcome); the console can tell them apart.
    if (outcome !== 'answered')
      deps.unanswered?.record({
        text: question,
        outcome,
        ...(result.declined ? { declinedKind: result.declined } : {}),
        ...(top ? { closest: { entryId: top.entry.id, score: top.score } } : {}),
      });
    const reply = await withLlm(result, question, actor);
    deps.metrics?.answer(outcome, (performance.now() - started) / 1000);
    return [reply];
  }

  /**
   * Counts one use (`take`) or checks that one more is allowed (`check`). Over the limit, the
   * user gets a calm reply; the first refusal in a window is logged and audited, later ones are not.
   */
  async function overLimit(
    incoming: Incoming,
    kind: LimitKind,
    how: 'take' | 'check',
  ): Promise<Reply[] | undefined> {
    const { limits } = deps;
    if (!limits) return undefined;
    const actor = userKey(incoming.user);
    const verdict = limits[how](kind, actor);
    if (verdict.ok) return undefined;
    if (verdict.first) {
      const now = clock.now();
      const retryAt = new Date(now.getTime() + verdict.retryAfterMs).toISOString();
      logger.warn({ user: actor, limit: kind, max: verdict.max, retryAt }, 'limit reached');
      await store
        .audit({
          at: now.toISOString(),
          type: 'limit-reached',
          actor,
          data: { limit: kind, max: verdict.max, retryAt },
        })
        .catch((err: unknown) => logger.error({ err }, 'audit write failed'));
    }
    return [limitReply(verdict)];
  }

  /** Limits on starting a checklist; a report will open a case, so it needs room for one. */
  async function startRefused(incoming: Incoming, checklist: string): Promise<Reply[] | undefined> {
    if (checklist === 'report') {
      const cases = await overLimit(incoming, 'cases', 'check');
      if (cases) return cases;
    }
    return overLimit(incoming, 'checklists', 'take');
  }

  /**
   * A question typed for the security contact opens a case, so over the case limit it is
   * refused and the prompt dropped. The state is read only when the user is at the limit.
   */
  async function askRefused(incoming: Incoming): Promise<Reply[] | undefined> {
    const actor = userKey(incoming.user);
    if (!deps.limits || deps.limits.allows('cases', actor)) return undefined;
    const state = await store.getConversation(actor);
    if (state?.prompt?.kind !== 'ask-contact') return undefined;
    const refused = await overLimit(incoming, 'cases', 'check');
    if (refused) {
      const { prompt: _dropped, ...rest } = state;
      await store.setConversation(actor, { ...rest, updatedAt: clock.now().toISOString() });
    }
    return refused;
  }

  /** `text` is already clean (see `cleanIncoming`). */
  async function onText(incoming: Incoming, text: string): Promise<Reply[]> {
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
    const refused = inChannel ? undefined : await askRefused(incoming);
    if (refused) return refused;
    const prompted = inChannel ? undefined : await cases.onText(incoming, text);
    if (prompted) return prompted;
    const command = detectCommand(text);
    if (command === 'report' || command === 'pretrip' || command === 'debrief') {
      const over = await startRefused(incoming, command);
      if (over) return over;
    }
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
    if (action.id === 'checklist:start') {
      // The value is "<checklist>[:<trip>]", or "new:<checklist>..." to replace a run.
      const checklist = (action.value ?? 'pretrip').replace(/^new:/, '').split(':')[0] ?? '';
      const over = await startRefused(incoming, checklist);
      if (over) return over;
    }
    if (action.id === 'case:ask') {
      const over = await overLimit(incoming, 'cases', 'check');
      if (over) return over;
    }
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
        const shown = answerReply(entry, [], { today: nzDay(clock.now()) });
        // As for a question typed mid-checklist: say which step the run is waiting at.
        const inChannel = incoming.conversation.kind === 'channel';
        const reminder = inChannel ? undefined : await deps.checklists.reminder(incoming.user);
        return reminder ? [shown, reminder] : [shown];
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
    async home(raw) {
      const user = cleanUser(raw);
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
    async handle(raw) {
      // The one place user-supplied strings enter the core: everything after sees clean text.
      const incoming = cleanIncoming(raw);
      const over = await overLimit(incoming, 'messages', 'take');
      if (over) return over;
      if (privateOnly(incoming)) return [PRIVATE_REPLY];
      if (incoming.action) return onAction(incoming, incoming.action);
      return onText(incoming, incoming.text ?? '');
    },
  };
}

function round(n: number | undefined): number | undefined {
  return n === undefined ? undefined : Math.round(n * 1000) / 1000;
}
