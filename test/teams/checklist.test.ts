import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectorCall, cardsOf, cardText } from './connector.js';
import { activities, startTeams, type TeamsHarness } from './harness.js';
import { allCardProblems } from './validate.js';

let h: TeamsHarness;
let a: ReturnType<typeof activities>;

beforeAll(async () => {
  h = await startTeams();
  a = activities(h.stub.url);
});
afterAll(async () => {
  await h.close();
});
afterEach(() => {
  expect(allCardProblems(h.stub.calls.map((c) => c.body))).toEqual([]);
});

async function turn(activity: any): Promise<ConnectorCall[]> {
  const from = h.stub.calls.length;
  const res = await h.post(activity);
  expect(res.status).toBe(200);
  return h.stub.since(from);
}

const posted = (calls: ConnectorCall[]) => calls.filter((c) => c.method === 'POST');
const updated = (calls: ConnectorCall[]) => calls.filter((c) => c.method === 'PUT');
const elements = (card: any): any[] =>
  (card?.body ?? []).flatMap((e: any) => [e, ...(e.items ? elements({ body: e.items }) : [])]);
const choiceInput = (card: any) => elements(card).find((e) => e.type === 'Input.ChoiceSet');

/** The last card the bot posted in a turn, with the activity id the connector gave it. */
function lastCard(calls: ConnectorCall[]) {
  const post = posted(calls).at(-1)!;
  return { id: post.id!, card: cardsOf(post.body)[0], text: cardText(cardsOf(post.body)[0]) };
}

/** Answers a choice card by pressing its Submit with the given option values. */
function choose(user: any, card: { id: string; card: any }, values: string[]) {
  const input = choiceInput(card.card);
  const submit = elements(card.card)
    .filter((e) => e.type === 'ActionSet')
    .flatMap((e) => e.actions)
    .find((x: any) => x.data?.input === input.id);
  // Teams merges the inputs' values into the Action.Submit data; multi-select joins with commas.
  return a.submit(user, card.id, { ...submit.data, [input.id]: values.join(',') });
}

describe('pretrip in Teams', () => {
  const user = { id: '29:user-pretrip', name: 'Mere' };

  it('runs as cards: choice sets, typed answers, cards updated in place, a summary at the end', async () => {
    let calls = await turn(a.text(user, 'pretrip'));
    let step = lastCard(calls);
    expect(step.text).toContain('Pre-trip security checklist');
    expect(step.text).toContain('Step 1 of');
    expect(choiceInput(step.card).choices.map((c: any) => c.title)).toEqual([
      'Overseas trip',
      'Hosting a delegation',
    ]);

    // A question asked at a choice step is answered, and the step card stays open.
    calls = await turn(a.text(user, 'What counts as foreign interference?'));
    expect(updated(calls)).toEqual([]);
    expect(cardText(cardsOf(posted(calls)[0]!.body)[0])).toContain(
      'Foreign interference is covert',
    );

    // A choice, submitted from the card: the card is updated in place to show the answer.
    calls = await turn(choose(user, step, ['visit-type=outbound']));
    const put = updated(calls)[0]!;
    expect(put.path).toContain(`/activities/${step.id}`);
    const answeredCard = cardsOf(put.body)[0];
    expect(cardText(answeredCard)).toContain('Answered: Overseas trip');
    expect(cardText(answeredCard)).toContain('Is this an overseas trip on council business');
    expect(choiceInput(answeredCard)).toBeUndefined();
    expect(elements(answeredCard).some((e) => e.type === 'ActionSet')).toBe(false);
    step = lastCard(calls);
    expect(step.text).toContain('what is the purpose of the visit');

    // Free text is the user's next message; the open step card is updated too.
    calls = await turn(a.text(user, 'Sister-city anniversary with Suqian'));
    expect(cardText(cardsOf(updated(calls)[0]!.body)[0])).toContain(
      'Answered: Sister-city anniversary with Suqian',
    );
    step = lastCard(calls);
    expect(step.text).toContain('What date does the visit start');

    // Text the step cannot accept leaves the card open; the step is asked again with the reason.
    calls = await turn(a.text(user, 'next blursday'));
    expect(updated(calls)).toEqual([]);
    step = lastCard(calls);
    expect(step.text).toMatch(/couldn't read that date/);

    const typed: [RegExp, string][] = [
      [/What date does the visit start/, '5/3/2027'],
      [/What date does it end/, '12/3/2027'],
      [/Where are you going/, 'Suqian, China'],
      [/emergency contact/, 'Jo Bloggs 021 555 0100'],
      [/When will you debrief/, '20/3/2027'],
    ];
    let sawMulti = false;
    for (let i = 0; i < 30 && !step.text.includes('complete'); i++) {
      const input = choiceInput(step.card);
      if (input?.isMultiSelect) {
        sawMulti = true;
        const values = input.choices.map((c: any) => c.value);
        // "No devices" with a device is refused: the card stays open and the step is asked again.
        calls = await turn(choose(user, step, [values[1], 'devices=none']));
        expect(updated(calls)).toEqual([]);
        expect(lastCard(calls).text).toMatch(/can't be combined/);
        calls = await turn(choose(user, step, [values[1], values[3]]));
        expect(cardText(cardsOf(updated(calls)[0]!.body)[0])).toContain(
          `Answered: ${input.choices[1].title}, ${input.choices[3].title}`,
        );
      } else if (input) {
        calls = await turn(choose(user, step, [input.choices[0].value]));
      } else {
        const answer = typed.find(([re]) => re.test(step.text))?.[1];
        expect(answer, step.text).toBeDefined();
        calls = await turn(a.text(user, answer!));
      }
      step = lastCard(calls);
    }
    expect(sawMulti).toBe(true);
    const summary = posted(calls)
      .map((c) => cardText(cardsOf(c.body)[0]))
      .join('\n');
    expect(summary).toMatch(/Pre-trip security checklist complete\. Your reference is/);
    expect(summary).toContain('My usual council phone');
    const trips = await h.advisor.store.listTrips(`teams:tenant-0001:${user.id}`);
    expect(trips).toHaveLength(1);
    expect(trips[0]!.summary.find((l) => l.stepId === 'devices')?.answer).toMatch(
      /My usual council phone.*A loan or travel device/,
    );
  });
});

describe('report in Teams', () => {
  const user = { id: '29:user-report', name: 'Tama' };

  it('takes a report through typed answers and a yes/no choice', async () => {
    let step = lastCard(await turn(a.text(user, 'report')));
    expect(step.text).toContain('Report a concern');
    for (const text of [
      'A visitor asked for [the port plans](https://evil.example) after the hui',
      'Last Tuesday',
      'A delegation member',
    ]) {
      step = lastCard(await turn(a.text(user, text)));
    }
    expect(choiceInput(step.card).choices.map((c: any) => c.title)).toEqual(['Yes', 'No']);
    const calls = await turn(choose(user, step, ['info-asked=yes']));
    const all = posted(calls)
      .map((c) => cardText(cardsOf(c.body)[0]))
      .join('\n');
    expect(all).toMatch(/Report a concern complete/);
    // No security contact has installed the bot in this suite, so the case waits in the outbox.
    expect(all).toMatch(/couldn't reach your security contact just now/);
    // The user's link is shown as text, never as a link.
    expect(all).toContain('the port plans');
    expect(all).not.toMatch(/\[the port plans\]\(https:\/\/evil\.example\)/);
    const cases = await h.advisor.store.readAudit();
    expect(cases.some((e) => e.type === 'case-raised')).toBe(true);
  });
});
