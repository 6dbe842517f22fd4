import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Checklist,
  ChecklistSchema,
  conditionSteps,
  type Step,
} from '../../src/checklist/definition.js';
import {
  type AnswerContext,
  type Answers,
  displayAnswer,
  effectiveAnswers,
  evaluateFlags,
  holds,
  nextStep,
  parseAnswer,
  progress,
  visibleSteps,
} from '../../src/checklist/engine.js';
import { fixtureContent, registerLookup, TODAY } from './helpers.js';

let pretrip: Checklist;
let checklists: Map<string, Checklist>;
let ctx: AnswerContext;
beforeAll(async () => {
  const content = await fixtureContent();
  checklists = content.checklists;
  pretrip = content.checklists.get('pretrip')!;
  ctx = { today: TODAY, answers: {}, findSisterCity: registerLookup(content.knowledge) };
});

const step = (id: string): Step => pretrip.steps.find((s) => s.id === id)!;
const parse = (id: string, input: string, answers: Answers = {}) =>
  parseAnswer(step(id), input, { ...ctx, answers });
const ok = (value: unknown) => ({ ok: true, value });

describe('holds', () => {
  const a: Answers = {
    kind: 'host',
    devices: ['council-laptop', 'loan-device'],
    skipped: null,
  };
  it('equals and in, on single and multi answers', () => {
    expect(holds({ step: 'kind', equals: 'host' }, a)).toBe(true);
    expect(holds({ step: 'kind', equals: 'council' }, a)).toBe(false);
    expect(holds({ step: 'devices', equals: 'loan-device' }, a)).toBe(true);
    expect(holds({ step: 'kind', in: ['sponsor', 'host'] }, a)).toBe(true);
    expect(holds({ step: 'devices', in: ['none', 'council-phone'] }, a)).toBe(false);
    expect(holds({ step: 'missing', equals: 'host' }, a)).toBe(false);
    expect(holds({ step: 'skipped', in: ['host'] }, a)).toBe(false);
  });

  it('notIn holds only for a given answer that has none of the values', () => {
    expect(holds({ step: 'kind', notIn: ['council'] }, a)).toBe(true);
    expect(holds({ step: 'kind', notIn: ['host'] }, a)).toBe(false);
    expect(holds({ step: 'devices', notIn: ['loan-device'] }, a)).toBe(false);
    expect(holds({ step: 'devices', notIn: ['none'] }, a)).toBe(true);
    expect(holds({ step: 'missing', notIn: ['x'] }, a)).toBe(false);
    expect(holds({ step: 'skipped', notIn: ['x'] }, a)).toBe(false);
  });

  it('answered treats a skipped step as not answered', () => {
    expect(holds({ step: 'kind', answered: true }, a)).toBe(true);
    expect(holds({ step: 'skipped', answered: true }, a)).toBe(false);
    expect(holds({ step: 'skipped', answered: false }, a)).toBe(true);
    expect(holds({ step: 'missing', answered: false }, a)).toBe(true);
  });

  it('all and any, nested', () => {
    const yes = { step: 'kind', equals: 'host' };
    const no = { step: 'kind', equals: 'council' };
    expect(
      holds({ all: [yes, { any: [no, { step: 'devices', equals: 'loan-device' }] }] }, a),
    ).toBe(true);
    expect(holds({ all: [yes, no] }, a)).toBe(false);
    expect(holds({ any: [no, { all: [no] }] }, a)).toBe(false);
  });
});

describe('visible steps and progress', () => {
  it('count only the steps that apply, and change with the visit type', () => {
    expect(visibleSteps(pretrip, {})).toHaveLength(13);
    const outbound = { 'visit-type': 'outbound' };
    const hosting = { 'visit-type': 'hosting' };
    expect(visibleSteps(pretrip, outbound)).toHaveLength(18);
    expect(visibleSteps(pretrip, hosting)).toHaveLength(14);
    expect(progress(pretrip, outbound, 'purpose')).toEqual({ index: 2, total: 18, exact: true });
    expect(progress(pretrip, hosting, 'purpose')).toEqual({ index: 2, total: 14, exact: true });
    expect(progress(pretrip, hosting, 'who-pays')).toEqual({ index: 6, total: 14, exact: true });
    expect(progress(pretrip, outbound, 'who-pays')).toEqual({ index: 6, total: 18, exact: true });
    expect(visibleSteps(pretrip, hosting).map((s) => s.id)).toContain('delegation-from');
    expect(visibleSteps(pretrip, hosting).map((s) => s.id)).not.toContain('devices');
  });

  it('counts the most steps a run can have, as "about", until the branch is known', () => {
    // Before the visit type is chosen, an outbound trip's 18 steps are the most there can be.
    expect(progress(pretrip, {}, 'visit-type')).toEqual({ index: 1, total: 18, exact: false });
    const debrief = checklists.get('debrief')!;
    expect(progress(debrief, {}, 'unusual-contact')).toEqual({
      index: 1,
      total: 4,
      exact: false,
    });
    expect(progress(debrief, { 'unusual-contact': 'no' }, 'gifts-received')).toEqual({
      index: 2,
      total: 3,
      exact: true,
    });
  });

  it('never raises the total as answers come in, on any path through the checklists', () => {
    for (const checklist of checklists.values()) {
      // Every answer to a step that decides which steps follow; one answer to any other step.
      const deciding = new Set(
        checklist.steps.flatMap((s) => (s.when ? conditionSteps(s.when) : [])),
      );
      const paths: Answers[] = [{}];
      while (paths.length) {
        const answers = paths.pop()!;
        const step = nextStep(checklist, answers);
        if (!step) continue;
        const at = progress(checklist, answers, step.id);
        const all =
          step.type === 'yesno'
            ? ['yes', 'no']
            : step.type === 'single'
              ? step.options.map((o) => o.value)
              : ['typed'];
        const values = deciding.has(step.id) ? all : all.slice(0, 1);
        for (const value of values) {
          const next = { ...answers, [step.id]: value };
          const following = nextStep(checklist, next);
          if (!following) continue;
          const later = progress(checklist, next, following.id);
          expect(later.total, `${checklist.id} after ${step.id}=${value}`).toBeLessThanOrEqual(
            at.total,
          );
          expect(later.index).toBe(at.index + 1);
          paths.push(next);
        }
      }
    }
  });

  it('nextStep is the first applicable unanswered step; a skipped step counts as done', () => {
    expect(nextStep(pretrip, {})?.id).toBe('visit-type');
    const answers: Answers = {
      'visit-type': 'hosting',
      purpose: 'Delegation visit',
      'start-date': '2027-03-05',
      'end-date': '2027-03-07',
    };
    expect(nextStep(pretrip, answers)?.id).toBe('delegation-from');
    expect(nextStep(pretrip, { ...answers, 'delegation-from': null })?.id).toBe('who-pays');
  });

  it('effective answers drop answers to steps that no longer apply, and so do flags', () => {
    const answers: Answers = { 'visit-type': 'hosting', devices: ['council-laptop'] };
    expect(effectiveAnswers(pretrip, answers)).toEqual({ 'visit-type': 'hosting' });
    expect(evaluateFlags(pretrip, answers)).toEqual([]);
    expect(evaluateFlags(pretrip, { ...answers, 'visit-type': 'outbound' })[0]?.id).toBe(
      'usual-devices',
    );
  });
});

describe('evaluateFlags', () => {
  const base: Answers = { 'visit-type': 'outbound' };
  it('a level-4 destination is high, host funding a warning, most severe first', () => {
    const flags = evaluateFlags(pretrip, {
      ...base,
      'who-pays': 'host',
      gifts: 'both',
      'advisory-level': 'level-4',
    });
    expect(flags.map((f) => [f.id, f.severity])).toEqual([
      ['high-advisory', 'high'],
      ['host-funded', 'warning'],
      ['gifts-expected', 'info'],
    ]);
    expect(flags[0]).toMatchObject({
      title: 'High SafeTravel advisory level',
      guidance: 'safetravel',
    });
  });

  it('safe answers raise none', () => {
    const safe: Answers = {
      ...base,
      'who-pays': 'council',
      gifts: 'none',
      devices: ['loan-device'],
      safetravel: 'yes',
      'advisory-level': 'level-1',
      mfat: null,
      briefing: 'yes',
      officials: 'no',
      'info-requests': 'no',
      agreements: 'no',
      media: 'no',
    };
    expect(evaluateFlags(pretrip, safe)).toEqual([]);
  });
});

describe('displayAnswer', () => {
  it('shows labels, dates and destinations the way people read them', () => {
    expect(displayAnswer(step('mfat'), null)).toBe('Skipped');
    expect(displayAnswer(step('mfat'), 'yes')).toBe('Yes');
    expect(displayAnswer(step('devices'), ['council-laptop', 'loan-device'])).toBe(
      'My usual council laptop, A loan or travel device',
    );
    expect(displayAnswer(step('start-date'), '2027-03-05')).toBe('5 March 2027');
    expect(
      displayAnswer(step('destination'), {
        city: 'Suqian',
        country: 'China',
        sisterOf: 'Invercargill',
      }),
    ).toBe('Suqian, China (a sister city of Invercargill)');
  });
});

describe('parseAnswer', () => {
  it('yes/no words, including te reo', () => {
    for (const w of ['yes', 'Y', 'Yeah', 'yep', 'ae', 'Āe', 'yes please'])
      expect(parse('mfat', w), w).toEqual(ok('yes'));
    for (const w of ['no', 'N', 'nope', 'kao', 'not yet'])
      expect(parse('mfat', w), w).toEqual(ok('no'));
    expect(parse('mfat', 'maybe')).toEqual({ ok: false, error: 'Please answer yes or no.' });
  });

  it('one option by label, number or value', () => {
    expect(parse('who-pays', 'the FOREIGN host')).toEqual(ok('host'));
    expect(parse('who-pays', ' 2 ')).toEqual(ok('host'));
    expect(parse('who-pays', 'sponsor')).toEqual(ok('sponsor'));
    expect(parse('advisory-level', '4')).toEqual(ok('level-4'));
    for (const bad of ['0', '6', 'my boss']) {
      const r = parse('who-pays', bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/^Please choose one of: The council; The foreign host;/);
    }
  });

  it('several options with commas, "and", semicolons; "No devices" stands alone', () => {
    expect(parse('devices', 'My usual council laptop, a loan or travel device')).toEqual(
      ok(['council-laptop', 'loan-device']),
    );
    expect(parse('devices', '1 and 4')).toEqual(ok(['council-laptop', 'loan-device']));
    expect(parse('devices', '2; 3 & 2')).toEqual(ok(['council-phone', 'personal-phone']));
    expect(parse('devices', 'council-laptop,loan-device')).toEqual(
      ok(['council-laptop', 'loan-device']),
    );
    expect(parse('devices', 'No devices')).toEqual(ok(['none']));
    expect(parse('devices', 'No devices, my personal phone')).toEqual({
      ok: false,
      error: `"No devices" can't be combined with other choices.`,
    });
    for (const bad of ['a toaster', '1, 9', '']) {
      const r = parse('devices', bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok)
        expect(r.error).toMatch(/Please choose one or more of: .*Separate them with commas/);
    }
  });

  it('dates: readable, not past, not before the start', () => {
    expect(parse('start-date', '5/3/2027')).toEqual(ok('2027-03-05'));
    expect(parse('start-date', 'today')).toEqual(ok(TODAY));
    expect(parse('start-date', '26/11/2026')).toEqual({
      ok: false,
      error: 'That date is in the past. Please give a date from today on.',
    });
    const unreadable = parse('start-date', '31/2/2027');
    expect(unreadable).toEqual({
      ok: false,
      error: "I couldn't read that date. Try a form like 5/3/2027 or 5 March 2027.",
    });
    const started = { 'start-date': '2027-03-05' };
    expect(parse('end-date', '4/3/2027', started)).toEqual({
      ok: false,
      error: "That's before the start date you gave. Please give a date on or after it.",
    });
    expect(parse('end-date', '5 March 2027', started)).toEqual(ok('2027-03-05'));
    // With the start skipped there is nothing to compare against.
    expect(parse('end-date', '4/3/2027', { 'start-date': null })).toEqual(ok('2027-03-04'));
  });

  it('text within its length limits, trimmed', () => {
    expect(parse('purpose', '  Trade visit  ')).toEqual(ok('Trade visit'));
    expect(parse('purpose', 'abcd')).toEqual({
      ok: false,
      error: 'Please give a bit more detail (at least 5 characters).',
    });
    expect(parse('purpose', 'x'.repeat(300)).ok).toBe(true);
    expect(parse('purpose', 'x'.repeat(301))).toEqual({
      ok: false,
      error: 'Please keep this under 300 characters.',
    });
  });

  it('a name and phone number: any NZ or international number will do; none is asked again', () => {
    for (const answer of [
      'Jane Smith 021 555 0123',
      'Hemi Walker, +64 21 555 0123',
      'Aroha (04) 555 0192',
      'Duty manager 0800 747 224',
      'Sam Lee 09-555-0100',
    ])
      expect(parse('emergency-contact', answer), answer).toEqual(ok(answer));
    for (const answer of [
      'Jane Smith',
      'Jane Smith on extension 4521',
      'Jane 555 0123',
      'the duty manager, back on 5/3/2027',
      'What should I put here?',
    ]) {
      const result = parse('emergency-contact', answer);
      expect(result.ok, answer).toBe(false);
      expect(!result.ok && result.error).toMatch(
        /^Thanks\. I couldn't see a phone number in that\./,
      );
    }
    // Other text steps do not look for one.
    expect(parse('purpose', 'Trade visit').ok).toBe(true);
  });

  it('destination: a register city alone is enough', () => {
    const suqian = ok({ city: 'Suqian', country: 'China', sisterOf: 'Invercargill' });
    expect(parse('destination', 'Suqian')).toEqual(suqian);
    expect(parse('destination', 'suqian')).toEqual(suqian);
    expect(parse('destination', 'Suqian, China')).toEqual(suqian);
    expect(parse('destination', 'Chengdu')).toEqual(
      ok({ city: 'Chengdu', country: 'China', sisterOf: 'Hamilton' }),
    );
    // Named with another country, it is a different place.
    expect(parse('destination', 'Suqian, Japan')).toEqual(ok({ city: 'Suqian', country: 'Japan' }));
  });

  it('destination: an unknown city needs its country', () => {
    expect(parse('destination', 'Paris')).toEqual({
      ok: false,
      error:
        'Which country is Paris in? Please give the city and the country, for example "Suqian, China".',
      offers: [],
    });
    expect(parse('destination', 'Paris, France')).toEqual(ok({ city: 'Paris', country: 'France' }));
    expect(parse('destination', 'X').ok).toBe(false);
  });

  it('destination: a name the register holds twice is offered as a choice', () => {
    const twice = [
      { city: 'Springfield', country: 'United States', sisterOf: 'Alpha' },
      { city: 'Springfield', country: 'Australia', sisterOf: 'Beta' },
    ];
    const r = parseAnswer(step('destination'), 'Springfield', {
      ...ctx,
      findSisterCity: () => twice,
    });
    expect(r).toEqual({ ok: false, error: 'Which one do you mean?', offers: twice });
    const picked = parseAnswer(step('destination'), 'Springfield, Australia', {
      ...ctx,
      findSisterCity: () => twice,
    });
    expect(picked).toEqual(ok({ city: 'Springfield', country: 'Australia', sisterOf: 'Beta' }));
  });
});

describe('a custom checklist', () => {
  it('multi answers drive conditions on later steps', () => {
    const c = ChecklistSchema.parse({
      id: 'pretrip',
      title: 'Custom',
      intro: 'A custom checklist for a test.',
      steps: [
        {
          id: 'kit',
          label: 'Kit',
          question: 'What are you taking?',
          type: 'multi',
          options: [
            { value: 'laptop', label: 'Laptop' },
            { value: 'phone', label: 'Phone' },
          ],
        },
        {
          id: 'wiped',
          label: 'Wiped',
          question: 'Is the laptop wiped?',
          type: 'yesno',
          when: { step: 'kit', equals: 'laptop' },
        },
      ],
    });
    expect(visibleSteps(c, { kit: ['phone'] }).map((s) => s.id)).toEqual(['kit']);
    expect(nextStep(c, { kit: ['phone', 'laptop'] })?.id).toBe('wiped');
  });
});

describe('destination spelling', () => {
  it('takes the city and country spelling from the register when they match', async () => {
    const { parseAnswer } = await import('../../src/checklist/engine.js');
    const step: Step = {
      id: 'destination',
      type: 'destination',
      question: 'Where?',
      label: 'Destination',
      guidance: [],
      optional: false,
    };
    const ctx = {
      today: '2026-11-27',
      answers: {},
      findSisterCity: (city: string) =>
        /suqian/i.test(city)
          ? [{ city: 'Suqian', country: 'China', sisterOf: 'Invercargill' }]
          : [],
    };
    expect(parseAnswer(step, 'suqian, china', ctx)).toEqual({
      ok: true,
      value: { city: 'Suqian', country: 'China', sisterOf: 'Invercargill' },
    });
    expect(parseAnswer(step, 'Lyon, France', ctx)).toEqual({
      ok: true,
      value: { city: 'Lyon', country: 'France' },
    });
  });
});
