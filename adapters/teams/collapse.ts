import { type AdaptiveCard, type CardElement, type SubmitData, walk } from './cards.js';
import { plainToTeams } from './text.js';

const truncate = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/**
 * Cards the bot sent recently, by activity id, so a pressed card can be updated in place.
 * Kept in memory and bounded: after a restart old cards simply stay as they are.
 */
export class SentCards {
  private readonly cards = new Map<string, AdaptiveCard>();
  /** The latest checklist step card per conversation, answered by typing. */
  private readonly steps = new Map<string, string>();

  constructor(private readonly max = 2000) {}

  /** Remembers a sent card; `step` marks a checklist question that typed text can answer. */
  remember(conversationId: string, activityId: string, card: AdaptiveCard, step: boolean): void {
    this.cards.delete(activityId);
    this.cards.set(activityId, card);
    if (step) this.steps.set(conversationId, activityId);
    // Oldest first out: Map keeps insertion order.
    for (const key of this.cards.keys()) {
      if (this.cards.size <= this.max) break;
      this.cards.delete(key);
    }
    if (this.steps.size > this.max) {
      const first = this.steps.keys().next().value;
      if (first !== undefined) this.steps.delete(first);
    }
  }

  /** Returns and forgets a card, so it is updated at most once. */
  take(activityId: string): AdaptiveCard | undefined {
    const card = this.cards.get(activityId);
    this.cards.delete(activityId);
    for (const [conv, id] of this.steps) if (id === activityId) this.steps.delete(conv);
    return card;
  }

  /** The open step card in a conversation, if any. */
  openStep(conversationId: string): string | undefined {
    return this.steps.get(conversationId);
  }
}

/**
 * "Answered: …" in a `good` container. Teams themes container styles for light, dark and high
 * contrast; a fixed text colour (it was `color: good`) looked pale on some themes.
 */
function answeredBlock(label: string): CardElement {
  return {
    type: 'Container',
    style: 'good',
    items: [
      {
        type: 'TextBlock',
        text: plainToTeams(`Answered: ${truncate(label, 200)}`)[0] ?? 'Answered',
        wrap: true,
        weight: 'bolder',
      },
    ],
  };
}

function matches(action: unknown, pressed: SubmitData): boolean {
  const data = (action as { data?: SubmitData }).data;
  return data?.actionId === pressed.actionId && data.value === pressed.value;
}

/** The label of what was chosen: the button's title, or the titles of the chosen options. */
export function answeredLabel(card: AdaptiveCard, pressed: SubmitData, chosen?: string): string {
  const elements = walk(card.body);
  if (pressed.input) {
    const input = elements.find((e) => e.id === pressed.input);
    const choices = (input?.choices ?? []) as { title: string; value: string }[];
    const values = (chosen ?? '').split(',').filter(Boolean);
    const titles = values.map((v) => choices.find((c) => c.value === v)?.title ?? v);
    return titles.join(', ') || 'nothing chosen';
  }
  for (const e of elements) {
    if (e.type !== 'ActionSet') continue;
    const hit = (e.actions as { title?: string }[]).find((a) => matches(a, pressed));
    if (hit?.title) return hit.title;
  }
  return pressed.value ?? pressed.actionId;
}

/** Removes buttons (rows of actions or tappable rows) and inputs; an input's label stays as text. */
function strip(elements: CardElement[]): CardElement[] {
  return elements.flatMap((e): CardElement[] => {
    if (e.type === 'ActionSet' || e.selectAction !== undefined) return [];
    if (e.type.startsWith('Input.')) {
      const label = typeof e.label === 'string' ? plainToTeams(e.label)[0] : undefined;
      return label ? [{ type: 'TextBlock', text: label, wrap: true, weight: 'bolder' }] : [];
    }
    if (!Array.isArray(e.items)) return [e];
    const items = strip(e.items as CardElement[]);
    // A container that held only buttons goes with them.
    return items.length ? [{ ...e, items }] : [];
  });
}

/**
 * The card after an answer. A question (a choice or a checklist step) loses all its inputs and
 * buttons, since the step is over; any other card loses only the row of buttons pressed, so an
 * answer keeps its "Ask the security contact" and related questions after feedback.
 */
export function collapseCard(
  card: AdaptiveCard,
  pressed: SubmitData | undefined,
  label: string,
): AdaptiveCard | undefined {
  const whole =
    !pressed || pressed.input !== undefined || pressed.actionId.startsWith('checklist:');
  if (whole) {
    const body = strip(card.body);
    return { ...card, body: [...body, answeredBlock(label)] };
  }
  let found = false;
  const replace = (elements: CardElement[]): CardElement[] =>
    elements.map((e) => {
      if (
        !found &&
        e.type === 'ActionSet' &&
        (e.actions as unknown[]).some((a) => matches(a, pressed))
      ) {
        found = true;
        return answeredBlock(label);
      }
      return Array.isArray(e.items) ? { ...e, items: replace(e.items as CardElement[]) } : e;
    });
  const body = replace(card.body);
  return found ? { ...card, body } : undefined;
}
