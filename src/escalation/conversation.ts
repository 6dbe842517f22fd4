import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Knowledge } from '../knowledge/index.js';
import type { Action, Incoming, Reply } from '../model.js';
import { type ConversationState, type Store, userKey } from '../storage/index.js';
import type { Escalator } from './escalator.js';
import { CaseActions } from './render.js';
import type { CaseService, ContactAction } from './service.js';

const PROMPTS = {
  'case-info': 'What would you like to ask the reporter? Type your question below, or type cancel.',
  'case-resolve':
    'Add a short outcome note for the record (the reporter will see it), or type none.',
  'case-close':
    'Why is no action needed? Add a short note (the reporter will see it), or type none.',
  'case-reply': 'Type your reply for the security contact below, or type cancel.',
  'ask-contact':
    "What would you like to ask your council's security contact? Type it below, or type cancel. Don't include classified information.",
} as const;
type PromptKind = keyof typeof PROMPTS;

function notice(text: string, tone: 'info' | 'warning' | 'success' = 'info'): Reply {
  return { kind: 'notice', blocks: [{ type: 'notice', tone, text }] };
}

/**
 * The chat side of cases: buttons on case messages, one-off prompts for a note or a reply,
 * "Ask the security contact", and the "cases" command. Case rules live in CaseService.
 */
export class CaseConversation {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      logger: Logger;
      knowledge: Knowledge;
      escalator: Escalator;
      /** Absent when escalation is off: questions are then only recorded. */
      cases?: CaseService;
    },
  ) {}

  private async setPrompt(incoming: Incoming, prompt: ConversationState['prompt']): Promise<void> {
    const key = userKey(incoming.user);
    const state = await this.deps.store.getConversation(key);
    const next: ConversationState = {
      ...state,
      updatedAt: this.deps.clock.now().toISOString(),
      prompt,
    };
    if (!prompt) delete next.prompt;
    await this.deps.store.setConversation(key, next);
  }

  private ask(kind: PromptKind): Reply[] {
    return [
      {
        kind: 'notice',
        awaitsText: true,
        blocks: [
          { type: 'paragraph', text: PROMPTS[kind] },
          { type: 'buttons', buttons: [{ id: 'case:cancel', label: 'Cancel' }] },
        ],
      },
    ];
  }

  /** Handles a `case:` button. */
  async onAction(incoming: Incoming, action: Action): Promise<Reply[]> {
    const { cases } = this.deps;
    const id = action.value ?? '';
    const user = incoming.user;
    if (action.id === 'case:cancel') {
      await this.setPrompt(incoming, undefined);
      return [notice('Cancelled.')];
    }
    if (action.id === CaseActions.ask) {
      await this.setPrompt(incoming, { kind: 'ask-contact', ...(id ? { entryId: id } : {}) });
      return this.ask('ask-contact');
    }
    if (!cases)
      return [notice('Escalation to a security contact is not set up on this bot.', 'warning')];
    switch (action.id) {
      case CaseActions.ack:
        return cases.act(user, 'ack', id);
      case CaseActions.backup:
        return cases.act(user, 'backup', id);
      case CaseActions.info:
      case CaseActions.resolve:
      case CaseActions.close: {
        // Only a contact is asked for a note; anyone else is refused (and recorded) at once.
        if (!cases.isContact(user))
          return cases.act(user, action.id === CaseActions.info ? 'info' : 'resolve', id);
        const kind: PromptKind =
          action.id === CaseActions.info
            ? 'case-info'
            : action.id === CaseActions.resolve
              ? 'case-resolve'
              : 'case-close';
        await this.setPrompt(incoming, { kind, caseId: id });
        return this.ask(kind);
      }
      case CaseActions.reply:
        await this.setPrompt(incoming, { kind: 'case-reply', caseId: id });
        return this.ask('case-reply');
      case CaseActions.show:
        return cases.show(user, id);
      case CaseActions.list:
        return cases.list(user);
      default:
        return [
          notice("I didn't recognise that button. It may be from an old message.", 'warning'),
        ];
    }
  }

  /** If the bot is waiting for a note or a reply from this user, takes `text` as it. */
  async onText(incoming: Incoming, text: string): Promise<Reply[] | undefined> {
    const state = await this.deps.store.getConversation(userKey(incoming.user));
    const prompt = state?.prompt;
    if (!prompt) return undefined;
    await this.setPrompt(incoming, undefined);
    const t = text.trim();
    if (/^cancel$/i.test(t)) return [notice('Cancelled. Nothing was sent.')];
    const { cases } = this.deps;
    const caseId = prompt.caseId ?? '';
    switch (prompt.kind as PromptKind) {
      case 'ask-contact': {
        const entry = prompt.entryId ? this.deps.knowledge.byId.get(prompt.entryId) : undefined;
        const receipt = await this.deps.escalator.escalate({
          source: 'question',
          reporter: incoming.user,
          summary: entry
            ? `A question after reading "${entry.title}"`
            : 'A question for the security contact',
          details: t,
          flags: [],
          answers: [],
        });
        return [notice(receipt.message, receipt.notified ? 'success' : 'info')];
      }
      case 'case-reply':
        return cases ? cases.reply(incoming.user, caseId, t) : undefined;
      case 'case-info':
      case 'case-resolve':
      case 'case-close': {
        if (!cases) return undefined;
        const action: ContactAction =
          prompt.kind === 'case-info'
            ? 'info'
            : prompt.kind === 'case-resolve'
              ? 'resolve'
              : 'close';
        const note = /^(none|no|n\/a|-)$/i.test(t) ? undefined : t;
        if (action === 'info' && !note)
          return [notice('Nothing was sent: a question needs some text.', 'warning')];
        return cases.act(incoming.user, action, caseId, note);
      }
      default:
        return undefined;
    }
  }

  /** The "cases" command. */
  async list(incoming: Incoming): Promise<Reply[]> {
    if (!this.deps.cases)
      return [notice('Escalation to a security contact is not set up on this bot.', 'warning')];
    return this.deps.cases.list(incoming.user);
  }
}
