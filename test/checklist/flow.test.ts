import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  answerAll,
  Chat,
  choiceStepOf,
  problemOf,
  RISKY_OUTBOUND,
  SAFE_OUTBOUND,
  stepOf,
} from './helpers.js';

let s: TestServer;
beforeEach(async () => {
  // These tests check the recorded escalation request; test/escalation covers delivery to contacts.
  s = await startTestServer({ env: { ESCALATION_ENABLED: 'false' } });
});
afterEach(async () => {
  await s.close();
});

const runOf = async (userId: string) =>
  (await s.advisor.store.getConversation(`web:-:${userId}`))?.flow?.data as
    | { answers: Record<string, unknown>; history: string[] }
    | undefined;

describe('a whole pre-trip run through the JSON API', () => {
  it('risky answers: summary with flags by severity, escalation, trip record, debrief job', async () => {
    const chat = new Chat(s, 'aroha');
    const first = await chat.say('pretrip');
    expect(first[0]?.text).toMatch(/^Pre-trip security checklist\n\nThis takes about five minutes/);
    const [summary] = await answerAll(chat, RISKY_OUTBOUND);
    const text = summary!.text;
    expect(text).toContain('Pre-trip security checklist complete. Your reference is TR-2026-0001.');
    for (const line of [
      'Type of visit: Overseas trip',
      'Start date: 5 March 2027',
      'End date: 7 March 2027',
      'Destination: Suqian, China (a sister city of Invercargill)',
      'Who pays: The foreign host',
      'Devices: My usual council laptop',
      'SafeTravel advisory level: 4 - Do not travel',
      'Requests for information: Yes',
      'Debrief date: Skipped',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).not.toContain('Delegation from');
    // Flags grouped by severity, most severe first.
    const high = text.indexOf('High (2)');
    const warning = text.indexOf('Warning (2)');
    expect(high).toBeGreaterThan(-1);
    expect(warning).toBeGreaterThan(high);
    expect(text.slice(high, warning)).toContain('High SafeTravel advisory level.');
    expect(text.slice(high, warning)).toContain('Requests for information about ports');
    expect(text.slice(warning)).toContain('Hosted or sponsored travel.');
    expect(text.slice(warning)).toContain('Taking your usual council devices.');
    expect(text).not.toContain('For your information');
    expect(summary!.actions.map((a) => a.value)).toContain('safetravel');
    expect(text).toContain(
      "Some answers are high risk, so this needs a closer look. I've recorded this for your council's security contact (reference ER-2026-0001).",
    );
    expect(text).toContain("I'll check in with a short debrief on 8 March 2027");

    const [request, ...others] = await s.advisor.store.listEscalationRequests();
    expect(others).toEqual([]);
    expect(request).toMatchObject({
      id: 'ER-2026-0001',
      source: 'pretrip',
      tripId: 'TR-2026-0001',
      reporter: { platform: 'web', id: 'aroha' },
    });
    expect(request?.flags.map((f) => [f.id, f.severity])).toEqual([
      ['high-advisory', 'high'],
      ['info-requested', 'high'],
      ['host-funded', 'warning'],
      ['usual-devices', 'warning'],
    ]);
    expect(request?.answers).toContainEqual({
      stepId: 'who-pays',
      label: 'Who pays',
      answer: 'The foreign host',
    });

    // The day after the end date, 9 am NZ daylight time.
    expect(await s.advisor.store.listJobs()).toEqual([
      {
        id: 'debrief:TR-2026-0001',
        dueAt: '2027-03-07T20:00:00.000Z',
        kind: 'debrief',
        user: expect.objectContaining({ platform: 'web', id: 'aroha' }),
        tripId: 'TR-2026-0001',
      },
    ]);
    expect(await runOf('aroha')).toBeUndefined();

    const trips = await chat.say('my trips');
    expect(trips[0]?.text).toContain(
      'TR-2026-0001: Sister-city anniversary with Suqian, from 5 March 2027. 2 high, 2 warnings; passed to your security contact (ER-2026-0001).',
    );
    expect(trips[0]?.actions).toContainEqual(
      expect.objectContaining({ id: 'checklist:trip', value: 'TR-2026-0001' }),
    );
    const shown = await chat.press('checklist:trip', 'TR-2026-0001');
    expect(shown[0]?.text).toMatch(
      /^Pre-trip security checklist TR-2026-0001, finished 27 November 2026\./,
    );
    expect(shown[0]?.text).toContain('Who pays: The foreign host');
    // Nobody else can open the record.
    const other = await new Chat(s, 'someone-else').press('checklist:trip', 'TR-2026-0001');
    expect(other[0]?.text).toBe("I couldn't find that checklist.");
  });

  it('safe answers: no flags and no escalation; a multiple choice from the web page', async () => {
    const chat = new Chat(s, 'ben');
    await chat.say('/pretrip');
    const answers = SAFE_OUTBOUND.map((a) =>
      // The web page sends the chosen option values joined by commas.
      Array.isArray(a) && a[0] === 'devices'
        ? (['devices', 'loan-device,devices=personal-phone'] as [string, string])
        : a,
    );
    const [summary] = await answerAll(chat, answers);
    expect(summary!.text).toContain('Flags: none.');
    expect(summary!.text).toContain('Devices: A loan or travel device, My personal phone');
    expect(summary!.text).toContain('Destination: Kumagaya, Japan (a sister city of Invercargill)');
    expect(summary!.text).toContain('Debrief date: 12 March 2027');
    expect(summary!.text).toContain('Nothing here needs to go to your security contact.');
    expect(await s.advisor.store.listEscalationRequests()).toEqual([]);
    const [trip] = await s.advisor.store.listTrips('web:-:ben');
    expect(trip).toMatchObject({ id: 'TR-2026-0001', flags: [], endDate: '2027-03-07' });
    expect(trip?.escalationId).toBeUndefined();
    expect(trip?.answers.devices).toEqual(['loan-device', 'personal-phone']);
    expect((await chat.say('my trips'))[0]?.text).toContain('from 5 March 2027. no flags.');
  });

  it('hosting: skips apply only to optional steps; two warnings do not escalate', async () => {
    const chat = new Chat(s, 'cara');
    await chat.say('pretrip');
    let r = await answerAll(chat, [
      'Hosting a delegation',
      'Trade delegation from Chengdu',
      '5/3/2027',
      '6/3/2027',
      'Chengdu',
      'The council',
      'We may receive gifts',
    ]);
    expect(stepOf(r)).toEqual({ index: 8, total: 14 });
    expect(choiceStepOf(r)).toBe('mfat');
    expect(r[0]?.actions.map((a) => a.label)).toEqual([
      'Read: Registering on SafeTravel',
      'Back',
      'Skip',
      'Cancel',
    ]);
    r = await chat.press('checklist:skip');
    expect(choiceStepOf(r)).toBe('briefing');
    expect(r[0]?.actions.map((a) => a.label)).not.toContain('Skip');
    r = await chat.say('skip');
    expect(problemOf(r)).toBe('This step is needed, so it cannot be skipped.');
    expect(choiceStepOf(r)).toBe('briefing');
    r = await chat.press('checklist:skip');
    expect(problemOf(r)).toBe('This step is needed, so it cannot be skipped.');
    const [summary] = await answerAll(chat, ['no', 'yes', 'no', 'no', 'skip', 'skip']);
    const text = summary!.text;
    expect(text).toContain('Delegation from: Chengdu, China (a sister city of Hamilton)');
    expect(text).toContain('MFAT engaged: Skipped');
    expect(text).toContain('Media or public statements: Skipped');
    expect(text).not.toContain('Devices:');
    expect(text).toContain('Warning (2)');
    expect(text).toContain('For your information (1)');
    expect(text).toContain('Nothing here needs to go to your security contact.');
    expect(await s.advisor.store.listEscalationRequests()).toEqual([]);
  });

  it('three warnings and no high flag escalate', async () => {
    const chat = new Chat(s, 'dan');
    await chat.say('pretrip');
    const answers = [...SAFE_OUTBOUND];
    answers[5] = ['who-pays', 'sponsor'];
    answers[7] = ['devices', 'council-phone'];
    answers[8] = ['safetravel', 'no'];
    const [summary] = await answerAll(chat, answers);
    expect(summary!.text).toContain(
      "There are 3 warnings, so this needs a closer look. I've recorded this for your council's security contact",
    );
    const [request] = await s.advisor.store.listEscalationRequests();
    expect(request?.flags.map((f) => f.id)).toEqual([
      'host-funded',
      'usual-devices',
      'not-registered',
    ]);
  });
});

describe('progress', () => {
  it('"Step 1 of about 18" until the visit type is known; the total never jumps up', async () => {
    const chat = new Chat(s, 'eru');
    let r = await chat.say('pretrip');
    // Before the visit type is known, the count is the most steps a run can have.
    expect(stepOf(r)).toEqual({ index: 1, total: 18, about: true });
    expect(r[0]?.text).toContain('Step 1 of about 18');
    r = await chat.choose('visit-type', 'outbound');
    expect(r[0]?.text).toContain('Step 2 of 18');
    expect(stepOf(r)).toEqual({ index: 2, total: 18 });
    r = await chat.say('back');
    expect(stepOf(r)).toEqual({ index: 1, total: 18, about: true });
    r = await chat.choose('visit-type', 'hosting');
    expect(stepOf(r)).toEqual({ index: 2, total: 14 });
    r = await answerAll(chat, ['A visit by a delegation', 'tomorrow', '5 Dec']);
    expect(stepOf(r)).toEqual({ index: 5, total: 14 });
    expect(r[0]?.text).toContain('Where is the delegation from?');
  });
});

describe('the emergency contact', () => {
  it('is asked again, kindly, until the answer has a phone number', async () => {
    const chat = new Chat(s, 'wiremu');
    await chat.say('pretrip');
    let r = await answerAll(chat, RISKY_OUTBOUND.slice(0, 16));
    expect(r[0]?.text).toContain('Who is your emergency contact at the council');
    const at = stepOf(r);
    for (const answer of ['Jane Smith', 'Jane Smith, extension 4521', 'the duty manager']) {
      r = await chat.say(answer);
      expect(problemOf(r)).toBe(
        'Thanks. I couldn\'t see a phone number in that. Please add one, with the area or mobile code, for example "Jane Smith 021 555 0123".',
      );
      expect(stepOf(r)).toEqual(at);
    }
    r = await chat.say('Jane Smith +64 21 555 0123');
    expect(problemOf(r)).toBeUndefined();
    expect(r[0]?.text).toContain('When will you debrief with your security contact');
  });
});

describe('the summary when a checklist goes to the security contact', () => {
  it('names the contact once, in the sentence that says what happened', async () => {
    const sent = await startTestServer();
    try {
      const chat = new Chat(sent, 'mere');
      await chat.say('pretrip');
      const [summary] = await answerAll(chat, RISKY_OUTBOUND);
      const notice = summary!.blocks.find((b) => b.type === 'notice' && /closer look/.test(b.text));
      expect(notice?.text).toBe(
        "Some answers are high risk, so this needs a closer look. Your council's security contact has been notified (case SC-2026-0001). You'll hear here when they pick it up.",
      );
    } finally {
      await sent.close();
    }
    // With escalation off, the receipt says the same once.
    const chat = new Chat(s, 'mere');
    await chat.say('pretrip');
    const [summary] = await answerAll(chat, RISKY_OUTBOUND);
    const notice = summary!.blocks.find((b) => b.type === 'notice' && /closer look/.test(b.text));
    expect(notice?.text.match(/security contact/g)).toHaveLength(1);
  });
});

describe('a "Read:" button pressed mid-run', () => {
  it('shows the guidance with the same reminder a typed question gets', async () => {
    const chat = new Chat(s, 'kiri');
    let r = await chat.say('pretrip');
    r = await chat.press('show-entry', 'fi-definition');
    expect(r).toHaveLength(2);
    expect(r[0]).toMatchObject({ kind: 'answer', entryId: 'fi-definition' });
    expect(r[1]?.text).toContain(
      "You're part-way through the pre-trip security checklist (step 1 of about 18).",
    );
    await answerAll(chat, RISKY_OUTBOUND.slice(0, 5));
    r = await chat.press('show-entry', 'gifts-koha');
    expect(r[0]).toMatchObject({ kind: 'answer', entryId: 'gifts-koha' });
    const typed = await chat.say('What about gifts and koha?');
    // The button and the typed question end the same way.
    expect(r[1]).toEqual(typed.at(-1));
    expect(r[1]?.text).toContain(
      "You're part-way through the pre-trip security checklist (step 6 of 18).",
    );
    expect(r[1]?.actions).toEqual([
      expect.objectContaining({ id: 'checklist:continue', label: 'Continue the checklist' }),
    ]);
    // With no run in progress, guidance comes on its own.
    await chat.press('checklist:cancel');
    r = await chat.press('show-entry', 'gifts-koha');
    expect(r).toHaveLength(1);
  });
});

describe('navigation and wrong answers', () => {
  it('back, stale buttons, refused answers, restart and cancel', async () => {
    const chat = new Chat(s, 'fa');
    let r = await chat.say('pretrip');
    expect(r.at(-1)?.actions.map((a) => a.label)).toEqual(['Cancel']);
    r = await chat.say('back');
    expect(problemOf(r)).toBe("You're at the first step, so there's nothing to go back to.");
    r = await chat.choose('visit-type', 'sideways');
    expect(problemOf(r)).toMatch(/^Please choose one of: Overseas trip; Hosting a delegation\./);
    r = await answerAll(chat, ['1', 'Sister-city anniversary']);
    expect(stepOf(r)).toEqual({ index: 3, total: 18 });

    r = await chat.say('the day after the election');
    expect(problemOf(r)).toBe(
      "I couldn't read that date. Try a form like 5/3/2027 or 5 March 2027.",
    );
    expect(stepOf(r)).toEqual({ index: 3, total: 18 });
    r = await chat.say('1/1/2026');
    expect(problemOf(r)).toBe('That date is in the past. Please give a date from today on.');
    r = await chat.say('5/3/2027');
    expect(stepOf(r)).toEqual({ index: 4, total: 18 });
    r = await chat.say('4/3/2027');
    expect(problemOf(r)).toMatch(/^That's before the start date you gave/);

    // A button from step 1, pressed at step 4, changes nothing.
    r = await chat.choose('visit-type', 'hosting');
    expect(problemOf(r)).toBe('That button is from an earlier step. Here is where you are now.');
    expect(stepOf(r)).toEqual({ index: 4, total: 18 });
    expect((await runOf('fa'))?.answers['visit-type']).toBe('outbound');

    r = await chat.press('checklist:back');
    expect(stepOf(r)).toEqual({ index: 3, total: 18 });
    expect(await runOf('fa')).toMatchObject({ history: ['visit-type', 'purpose'] });
    expect((await runOf('fa'))?.answers).not.toHaveProperty('start-date');
    r = await chat.say('6/3/2027');
    expect(stepOf(r)).toEqual({ index: 4, total: 18 });

    r = await chat.say('start again');
    expect(r[0]?.text).toContain('This takes about five minutes');
    expect(stepOf(r)).toEqual({ index: 1, total: 18, about: true });
    expect((await runOf('fa'))?.answers).toEqual({});

    await chat.choose('visit-type', 'outbound');
    r = await chat.press('checklist:cancel');
    expect(r[0]?.text).toContain(
      "I've cancelled the pre-trip security checklist and cleared your answers.",
    );
    expect(await runOf('fa')).toBeUndefined();
    r = await chat.press('checklist:continue');
    expect(r[0]?.text).toContain("There's no checklist in progress.");
    r = await chat.choose('purpose', 'anything');
    expect(r[0]?.text).toContain("There's no checklist in progress.");
  });

  it('offers to continue or start again when a run is already in progress', async () => {
    const chat = new Chat(s, 'gus');
    const none = await chat.press('checklist:my-trips');
    expect(none[0]?.text).toContain("You haven't finished a pre-trip checklist yet.");
    await chat.say('pretrip');
    await answerAll(chat, ['Overseas trip', 'Sister-city anniversary']);
    const r = await chat.say('pretrip');
    expect(r[0]?.text).toContain(
      'You already have a pre-trip security checklist in progress (step 3 of 18). Would you like to carry on, or start again?',
    );
    expect(r[0]?.actions.map((a) => a.id)).toEqual(['checklist:continue', 'checklist:restart']);
    const restarted = await chat.press('checklist:restart');
    expect(stepOf(restarted)).toEqual({ index: 1, total: 18, about: true });
  });
});

describe('a question typed mid-run', () => {
  it('is answered at a choice step, followed by a reminder; the run is kept', async () => {
    const chat = new Chat(s, 'hine');
    await chat.say('pretrip');
    await answerAll(chat, RISKY_OUTBOUND.slice(0, 5));
    const r = await chat.say('How do I register on SafeTravel?');
    expect(r).toHaveLength(2);
    expect(r[0]).toMatchObject({ kind: 'answer', entryId: 'safetravel' });
    expect(r[1]?.text).toContain(
      "You're part-way through the pre-trip security checklist (step 6 of 18).",
    );
    expect(r[1]?.actions).toEqual([
      expect.objectContaining({ id: 'checklist:continue', label: 'Continue the checklist' }),
    ]);
    expect(Object.keys((await runOf('hine'))?.answers ?? {})).toHaveLength(5);
    const back = await chat.press('checklist:continue');
    expect(choiceStepOf(back)).toBe('who-pays');
    expect(stepOf(back)).toEqual({ index: 6, total: 18 });
    const next = await chat.say('The council');
    expect(choiceStepOf(next)).toBe('gifts');
  });
});
