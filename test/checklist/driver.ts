/**
 * Scripted users for durability tests: plays a checklist run to its end directly on the flow,
 * as a person would after a restart (press Continue, answer whatever is asked). Used in-process
 * and by the crash child in test/escalation/fixtures, so both drive runs the same way.
 */
import type { Content } from '../../src/app.js';
import type { Checklist } from '../../src/checklist/definition.js';
import { type Answers, nextStep } from '../../src/checklist/engine.js';
import { ChecklistFlow } from '../../src/checklist/flow.js';
import { ChecklistActions } from '../../src/checklist/render.js';
import type { Clock } from '../../src/clock.js';
import type { CaseStore } from '../../src/escalation/case-store.js';
import { ContactsSchema } from '../../src/escalation/contacts.js';
import { CaseService } from '../../src/escalation/service.js';
import { silentLogger } from '../../src/logger.js';
import type { Action, Incoming, Notifier, UserRef } from '../../src/model.js';
import { type Store, userKey } from '../../src/storage/index.js';

/** What a scripted user does: which checklist, and the answer they type at each step. */
export type Kind = 'risky' | 'safe' | 'report';

const RISKY: Record<string, string> = {
  'visit-type': 'Overseas trip',
  purpose: 'Sister-city anniversary with Suqian',
  'start-date': '5/3/2027',
  'end-date': '7/3/2027',
  destination: 'Suqian',
  'who-pays': 'The foreign host',
  gifts: 'No gifts expected',
  devices: 'My usual council laptop',
  safetravel: 'yes',
  'advisory-level': '4',
  mfat: 'yes',
  briefing: 'yes',
  officials: 'no',
  'info-requests': 'yes',
  agreements: 'no',
  media: 'no',
  'emergency-contact': 'Jane Smith 021 555 0123',
  // The last step is optional: skipping it finishes the run through the skip path.
  'debrief-date': 'skip',
};

/** Answers for each kind of run, by step id. */
export const SCRIPTS: Record<Kind, { checklist: string; answers: Record<string, string> }> = {
  risky: { checklist: 'pretrip', answers: RISKY },
  safe: {
    checklist: 'pretrip',
    answers: {
      ...RISKY,
      destination: 'Kumagaya, Japan',
      'who-pays': 'The council',
      devices: 'A loan or travel device',
      'advisory-level': '1',
      'info-requests': 'no',
      'debrief-date': '12/3/2027',
    },
  },
  report: {
    checklist: 'report',
    answers: {
      'what-happened': 'A delegation member asked me for the port expansion plans.',
      when: 'At the dinner last Tuesday',
      who: 'A member of the visiting delegation',
      'info-asked': 'yes',
    },
  },
};

/** A test user's ref from an id. */
export const userOf = (id: string): UserRef => ({ platform: 'web', id, name: id });

/** The flow and the case service over the given storage, wired as the bot wires them. */
export function flowRig(opts: {
  content: Content;
  store: Store;
  cases: CaseStore;
  clock: Clock;
  notifier: Notifier;
}) {
  const logger = silentLogger();
  const service = new CaseService({
    cases: opts.cases,
    store: opts.store,
    contacts: ContactsSchema.parse({
      primary: { name: 'Sam Security', web: 'sec' },
      backup: { name: 'Bo Backup', web: 'sec-backup' },
    }),
    notifiers: new Map([['web', opts.notifier]]),
    clock: opts.clock,
    logger,
    firstDeliveryTimeoutMs: 10_000,
  });
  const flow = new ChecklistFlow({
    checklists: opts.content.checklists,
    knowledge: opts.content.knowledge,
    store: opts.store,
    clock: opts.clock,
    escalator: service,
    logger,
    expiryDays: 14,
    escalateWarnings: 3,
  });
  return { flow, service };
}

interface RunData {
  checklist: string;
  answers: Answers;
  finishing?: unknown;
}

/**
 * Plays a user's run to its end: Continue when a run is in progress (answering whatever is
 * asked), a fresh start when there is neither a run nor a finished record. Throws when a
 * turn fails, as a request would; calling it again carries on from what was saved.
 */
export async function playToEnd(
  flow: ChecklistFlow,
  store: Store,
  checklists: Map<string, Checklist>,
  user: UserRef,
  kind: Kind,
): Promise<void> {
  const { checklist: id, answers } = SCRIPTS[kind];
  const checklist = checklists.get(id);
  if (!checklist) throw new Error(`no checklist ${id}`);
  const key = userKey(user);
  const conversation = { id: `dm-${user.id}`, kind: 'direct' as const };
  const cont: Action = { id: ChecklistActions.continue };
  const press = () => flow.onAction({ user, conversation, action: cont }, cont);
  const say = (text: string): Incoming => ({ user, conversation, text });
  const run = async () => {
    const flowState = (await store.getConversation(key))?.flow;
    return flowState?.name === 'checklist' ? (flowState.data as unknown as RunData) : undefined;
  };
  if (await run()) await press();
  else if ((await store.listTrips(key)).some((t) => t.checklist === id)) return;
  else await flow.start(say(id), id);
  for (let turns = 0; turns < 40; turns++) {
    const data = await run();
    if (!data) return;
    if (data.finishing) {
      await press();
      continue;
    }
    const step = nextStep(checklist, data.answers);
    const answer = step && answers[step.id];
    if (!answer) throw new Error(`${user.id}: nothing scripted for step ${step?.id}`);
    await flow.onText(say(answer), answer);
  }
  throw new Error(`${user.id}: the run did not finish`);
}
