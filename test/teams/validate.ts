import * as AC from 'adaptivecards';
import { cardsOf } from './connector.js';

/** Problems the `adaptivecards` package finds in a card, plus the Teams limits we promise. */
export function cardProblems(json: any): string[] {
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  card.parse(json, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) problems.push(`parse: ${ctx.getEventAt(i).message}`);
  for (const e of card.validateProperties().validationEvents)
    problems.push(`validate: ${e.message}`);
  if (json?.version !== '1.5') problems.push(`version ${json?.version}, expected 1.5`);
  const size = Buffer.byteLength(JSON.stringify(json));
  if (size > 25 * 1024) problems.push(`card is ${size} bytes`);
  const visit = (e: any) => {
    if (!e || typeof e !== 'object') return;
    if (e.type === 'TextBlock' && typeof e.text === 'string' && e.text.length > 2000)
      problems.push(`TextBlock of ${e.text.length} characters`);
    for (const v of Object.values(e)) if (typeof v === 'object') visit(v);
  };
  visit(json);
  return problems;
}

/** Problems in every card of every activity given (replies, updates and proactive sends). */
export function allCardProblems(activities: any[]): string[] {
  return activities.flatMap((a) => cardsOf(a).flatMap((c) => cardProblems(c)));
}
