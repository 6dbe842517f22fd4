/**
 * The platform-neutral conversation model. Adapters translate platform events into
 * `Incoming` and render `Reply` blocks into Block Kit, Adaptive Cards or HTML.
 */

/** Chat surfaces the core knows about. */
export type Platform = 'web' | 'slack' | 'teams' | 'cli';

/** Who sent a message. `id` is unique within `platform` + `workspace`. */
export interface UserRef {
  platform: Platform;
  id: string;
  name?: string;
  /** Slack workspace or Teams tenant; absent on the web chat. */
  workspace?: string;
}

/** Where the message was sent. */
export interface ConversationRef {
  id: string;
  kind: 'direct' | 'channel';
  /** Thread or reply chain, where the platform has one. */
  thread?: string;
}

/** A button press or menu choice. */
export interface Action {
  id: string;
  value?: string;
}

/** One message from a user: either text or an action. */
export type Incoming = {
  user: UserRef;
  conversation: ConversationRef;
} & ({ text: string; action?: undefined } | { action: Action; text?: undefined });

/** A cited source, shown under an answer. */
export interface Source {
  title: string;
  publisher: string;
  url: string;
  /** ISO date (YYYY, YYYY-MM or YYYY-MM-DD) or "undated". */
  date: string;
}

/** A button. `id` names the action; `value` travels back with it. */
export interface Button {
  id: string;
  label: string;
  value?: string;
  style?: 'primary' | 'danger' | 'default';
}

/** An option of a choice question. */
export interface ChoiceOption {
  label: string;
  value: string;
}

/** The building blocks of a reply. Paragraph text uses the markdown subset in `markdown.ts`. */
export type Block =
  | { type: 'paragraph'; text: string }
  | { type: 'sources'; sources: Source[]; reviewed?: string }
  | { type: 'buttons'; buttons: Button[] }
  | {
      /**
       * A question with options. Choosing sends the action `{id, value: option.value}`; a
       * `multiple` choice sends the chosen options' values joined by commas.
       */
      type: 'choice';
      id: string;
      question: string;
      options: ChoiceOption[];
      multiple?: boolean;
    }
  | { type: 'notice'; tone: 'info' | 'warning' | 'success'; text: string };

/** What kind of reply this is, for logging, the JSON API and tests. */
export type ReplyKind =
  | 'answer'
  | 'no-guidance'
  | 'declined'
  | 'small-talk'
  | 'feedback'
  | 'error'
  | 'notice';

/** One message from the bot. */
export interface Reply {
  kind: ReplyKind;
  blocks: Block[];
  /** The guidance entry an answer came from. */
  entryId?: string;
  /**
   * For an answer listing ties from across the register ("which councils have a sister city in
   * Korea?"), the id of every council it lists; `entryId` is the first of them.
   */
  covers?: string[];
  /** Retrieval score of the entry, for answers and refusals. */
  score?: number;
  /**
   * True when the bot takes the user's next message as free text for this reply (a note, a
   * question for the reporter, a reply), so a surface may offer a text box for it.
   */
  awaitsText?: boolean;
}

/** Lets the core send a message to a user later (escalations, status updates). */
export interface Notifier {
  readonly platform: Platform;
  /**
   * Delivers the replies to the user; resolves when the platform has accepted them. `key` is
   * the message's stable delivery key (an outbox message or job id): a notifier that can keep
   * it stores a second delivery under the same key once, so its user sees the message once.
   */
  notify(user: UserRef, replies: Reply[], opts?: { key?: string }): Promise<DeliveryResult>;
  /** Replaces a message sent earlier (by its `messageId`), where the platform allows. */
  update?(user: UserRef, messageId: string, replies: Reply[]): Promise<DeliveryResult>;
}

/** Outcome of one delivery attempt. */
export type DeliveryResult = { ok: true; messageId?: string } | { ok: false; error: string };
