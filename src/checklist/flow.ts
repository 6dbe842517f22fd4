import type { Logger } from 'pino';
import { type Clock, formatDate, nzDay } from '../clock.js';
import type { Escalator } from '../escalation/escalator.js';
import { nextId } from '../escalation/escalator.js';
import { findPartnerCities, type Knowledge } from '../knowledge/index.js';
import type { Action, Block, Incoming, Reply, UserRef } from '../model.js';
import { nzShort } from '../nz-time.js';
import { type Store, type TripRecord, userKey } from '../storage/index.js';
import type { Checklist } from './definition.js';
import {
  type Answers,
  type Destination,
  displayAnswer,
  effectiveAnswers,
  evaluateFlags,
  nextStep,
  parseAnswer,
  progress,
  visibleSteps,
} from './engine.js';
import {
  ChecklistActions,
  debriefNote,
  startButton,
  stepCount,
  stepReply,
  summaryReply,
  tripsReply,
} from './render.js';
import { nextDay, nzWallTime } from './time.js';

/** A run in progress, kept in the user's conversation state. */
interface RunState {
  checklist: string;
  startedAt: string;
  updatedAt: string;
  answers: Answers;
  /** Steps answered, in order, so Back can retrace them. */
  history: string[];
  /** For a debrief: the trip it follows up. */
  tripId?: string;
  /**
   * Fixed when the last answer is accepted and saved before any record is written: the
   * record's id and time, and the case id when it escalates. Finishing again (after a crash,
   * or a second click) reuses them, so it writes only what is still missing.
   */
  finishing?: { at: string; recordId: string; caseId?: string };
}

const FLOW = 'checklist';

/** Settings for checklist runs. */
export interface ChecklistSettings {
  /** A run untouched for this many days expires. */
  expiryDays: number;
  /** This many warnings (or any high flag) open an escalation. */
  escalateWarnings: number;
}

/** What the flow needs. */
export interface ChecklistDeps extends ChecklistSettings {
  checklists: Map<string, Checklist>;
  knowledge: Knowledge;
  store: Store;
  clock: Clock;
  escalator: Escalator;
  logger: Logger;
}

const COMMANDS: Record<string, 'continue' | 'back' | 'skip' | 'cancel' | 'restart'> = {
  continue: 'continue',
  resume: 'continue',
  'carry on': 'continue',
  back: 'back',
  'go back': 'back',
  previous: 'back',
  skip: 'skip',
  cancel: 'cancel',
  stop: 'cancel',
  quit: 'cancel',
  restart: 'restart',
  'start again': 'restart',
  'start over': 'restart',
};

/** A run finished within this long is named when someone says "continue" afterwards. */
const RECENT_FINISH_MS = 24 * 60 * 60 * 1000;

/** Recognises a navigation command typed during a run. */
export function checklistCommand(text: string): (typeof COMMANDS)[string] | undefined {
  return COMMANDS[
    text
      .trim()
      .toLowerCase()
      .replace(/[.!]+$/, '')
  ];
}

/** Finds a destination among the register's partner cities; an ended tie no longer counts. */
export function registerLookup(knowledge: Knowledge): (city: string) => Destination[] {
  return (city) =>
    findPartnerCities(knowledge.register, city)
      .filter(({ rel }) => rel.status !== 'ended')
      .map(({ council, rel }) => ({
        city: rel.city,
        country: rel.country,
        sisterOf: council.place,
      }));
}

/**
 * Runs checklists as a conversation: one step at a time, persisted on every answer, with
 * back, skip, cancel, restart and continue; a summary with flags at the end; escalation when
 * the answers are risky; and a debrief scheduled for the day after the visit.
 */
export class ChecklistFlow {
  constructor(private readonly deps: ChecklistDeps) {}

  /**
   * Runs one user's turns one at a time, so a double click cannot finish a run twice at once
   * and no answer is lost. The store holds the lock: in this process for the file store, across
   * every replica for PostgreSQL, where a user's messages may land on different replicas.
   */
  private turn<T>(user: UserRef, fn: () => Promise<T>): Promise<T> {
    return this.deps.store.exclusive(`user:${userKey(user)}`, fn);
  }

  private async load(user: UserRef): Promise<RunState | undefined> {
    const state = await this.deps.store.getConversation(userKey(user));
    return state?.flow?.name === FLOW ? (state.flow.data as unknown as RunState) : undefined;
  }

  private async save(user: UserRef, run: RunState | undefined): Promise<void> {
    const key = userKey(user);
    const now = this.deps.clock.now().toISOString();
    const state = await this.deps.store.getConversation(key);
    if (run) {
      run.updatedAt = now;
      await this.deps.store.setConversation(key, {
        ...state,
        updatedAt: now,
        flow: { name: FLOW, data: run as unknown as Record<string, unknown> },
      });
    } else if (state) {
      const { flow: _dropped, ...rest } = state;
      // Finished state is dropped rather than kept, so the hot state file stays small.
      await this.deps.store.setConversation(
        key,
        Object.keys(rest).length > 1 ? { ...rest, updatedAt: now } : undefined,
      );
    }
  }

  private checklist(id: string): Checklist {
    const c = this.deps.checklists.get(id);
    if (!c) throw new Error(`unknown checklist ${id}`);
    return c;
  }

  private expired(run: RunState): boolean {
    const age = this.deps.clock.now().getTime() - new Date(run.updatedAt).getTime();
    return age > this.deps.expiryDays * 24 * 60 * 60 * 1000;
  }

  /** The user's run, or undefined; an expired run is removed and reported through `onExpired`. */
  private async active(user: UserRef): Promise<{ run?: RunState; expiredNotice?: Reply }> {
    const run = await this.load(user);
    if (!run) return {};
    // A run that was finishing never expires: some of its records may already be written.
    if (run.finishing || !this.expired(run)) return { run };
    await this.save(user, undefined);
    this.deps.logger.info(
      { user: userKey(user), checklist: run.checklist },
      'checklist run expired',
    );
    const title = this.deps.checklists.get(run.checklist)?.title ?? 'checklist';
    return {
      expiredNotice: {
        kind: 'notice',
        blocks: [
          {
            type: 'notice',
            tone: 'info',
            text: `Your ${title.toLowerCase()} from ${formatDate(run.startedAt.slice(0, 10))} expired after ${this.deps.expiryDays} days without activity, so I've cleared it.`,
          },
          {
            type: 'buttons',
            buttons: [
              {
                id: ChecklistActions.start,
                label: `Start a new ${title.toLowerCase()}`,
                value: run.checklist,
                style: 'primary',
              },
            ],
          },
        ],
      },
    };
  }

  /** True when the user has a run in progress (expired runs are cleared on their next message). */
  async hasRun(user: UserRef): Promise<boolean> {
    return (await this.load(user)) !== undefined;
  }

  private today(): string {
    return nzDay(this.deps.clock.now());
  }

  private ask(
    run: RunState,
    opts: { error?: string; offers?: Destination[]; prefix?: Block[] } = {},
  ): Reply[] {
    const checklist = this.checklist(run.checklist);
    const step = nextStep(checklist, run.answers);
    if (!step) throw new Error('ask() called on a finished run');
    const reply = stepReply(this.deps.knowledge, step, progress(checklist, run.answers, step.id), {
      canGoBack: run.history.length > 0,
      error: opts.error,
      offers: opts.offers,
    });
    if (opts.prefix) reply.blocks.unshift(...opts.prefix);
    return [reply];
  }

  /** Starts a checklist, or offers to continue one in progress (finishing an interrupted one first). */
  start(
    incoming: Incoming,
    checklistId: string,
    tripId?: string,
    replace = false,
  ): Promise<Reply[]> {
    return this.turn(incoming.user, () => this.begin(incoming, checklistId, tripId, replace));
  }

  private async begin(
    incoming: Incoming,
    checklistId: string,
    tripId?: string,
    replace = false,
  ): Promise<Reply[]> {
    const user = incoming.user;
    let { run, expiredNotice } = await this.active(user);
    let finished: Reply[] = [];
    if (run?.finishing) {
      // Finish the interrupted run first; asked for the same checklist, that is all they want.
      finished = await this.finish(incoming, run);
      if (!replace && run.checklist === checklistId) return finished;
      run = undefined;
    }
    if (run && replace) {
      await this.save(user, undefined);
      run = undefined;
    }
    if (run && run.checklist !== checklistId) {
      const current = this.checklist(run.checklist);
      const wanted = this.checklist(checklistId);
      return [
        {
          kind: 'notice',
          blocks: [
            {
              type: 'paragraph',
              text: `You have a ${current.title.toLowerCase()} in progress. Carry on with it, or set it aside and start the ${wanted.title.toLowerCase()}? Setting it aside clears its answers.`,
            },
            {
              type: 'buttons',
              buttons: [
                {
                  id: ChecklistActions.continue,
                  label: `Continue the ${current.title.toLowerCase()}`.slice(0, 75),
                  style: 'primary',
                },
                {
                  id: ChecklistActions.start,
                  label: `Start the ${wanted.title.toLowerCase()}`.slice(0, 75),
                  value: `new:${checklistId}${tripId ? `:${tripId}` : ''}`,
                },
              ],
            },
          ],
        },
      ];
    }
    if (run) {
      const checklist = this.checklist(run.checklist);
      const step = nextStep(checklist, run.answers);
      const at = step ? progress(checklist, run.answers, step.id) : undefined;
      return [
        {
          kind: 'notice',
          blocks: [
            {
              type: 'paragraph',
              text: `You already have a ${checklist.title.toLowerCase()} in progress${at ? ` (step ${stepCount(at)})` : ''}. Would you like to carry on, or start again?`,
            },
            {
              type: 'buttons',
              buttons: [
                { id: ChecklistActions.continue, label: 'Continue', style: 'primary' },
                { id: ChecklistActions.restart, label: 'Start again' },
              ],
            },
          ],
        },
      ];
    }
    const checklist = this.checklist(checklistId);
    const now = this.deps.clock.now().toISOString();
    const fresh: RunState = {
      checklist: checklistId,
      startedAt: now,
      updatedAt: now,
      answers: {},
      history: [],
      tripId,
    };
    await this.save(user, fresh);
    this.deps.logger.info({ user: userKey(user), checklist: checklistId }, 'checklist started');
    const intro: Block[] = [
      { type: 'paragraph', text: `**${checklist.title}**\n\n${checklist.intro}` },
    ];
    return [
      ...(expiredNotice ? [expiredNotice] : []),
      ...finished,
      ...this.ask(fresh, { prefix: intro }),
    ];
  }

  /**
   * Handles typed text while a run is in progress. Returns undefined when the text is not
   * for the checklist (a question asked mid-run), so the bot can answer it instead.
   */
  onText(incoming: Incoming, text: string): Promise<Reply[] | undefined> {
    return this.turn(incoming.user, () => this.takeText(incoming, text));
  }

  private async takeText(incoming: Incoming, text: string): Promise<Reply[] | undefined> {
    const { run, expiredNotice } = await this.active(incoming.user);
    // Whatever they typed was meant for the expired run, so say what happened to it.
    if (expiredNotice) return [expiredNotice];
    const command = checklistCommand(text);
    if (!run) return command ? this.nothingInProgress(incoming.user) : undefined;
    // An interrupted finish completes on any command; other text is a question (see reminder).
    if (run.finishing) return command ? this.finish(incoming, run) : undefined;
    if (command) return this.navigate(incoming, run, command);
    const step = nextStep(this.checklist(run.checklist), run.answers);
    if (!step) return undefined;
    const choiceLike = step.type === 'yesno' || step.type === 'single' || step.type === 'multi';
    const parsed = parseAnswer(step, text, this.answerContext(run));
    // A question typed at a choice step is answered as a question; the run waits.
    if (
      !parsed.ok &&
      choiceLike &&
      /\?\s*$|^(what|how|why|who|when|where|can|should|do|does|is|are)\b/i.test(text.trim())
    )
      return undefined;
    return this.applyAnswer(incoming, run, step.id, text);
  }

  /**
   * "continue" (or back, skip, cancel) with nothing in progress. A run finished in the last day
   * is named with its reference, so someone whose last answer was taken but whose confirmation
   * never arrived (a dropped connection) knows it went through, rather than starting again.
   */
  private async nothingInProgress(user: UserRef): Promise<Reply[]> {
    const last = (await this.deps.store.listTrips(userKey(user))).at(-1);
    const now = this.deps.clock.now().getTime();
    const recent = last && now - Date.parse(last.createdAt) < RECENT_FINISH_MS ? last : undefined;
    const title = recent ? this.deps.checklists.get(recent.checklist)?.title : undefined;
    const text = recent
      ? `Nothing is in progress. Your last one, “${title ?? recent.checklist}”, finished at ${nzShort(recent.createdAt)}: your reference is ${recent.id}${recent.escalationId ? `, and it went to your security contact (${recent.escalationId})` : ''}.`
      : 'Nothing is in progress. Type pretrip, debrief or report to start one.';
    return [{ kind: 'notice', blocks: [{ type: 'notice', tone: 'info', text }] }];
  }

  /** A reminder to append when the user asked a question in the middle of a run. */
  async reminder(user: UserRef): Promise<Reply | undefined> {
    const run = await this.load(user);
    if (!run) return undefined;
    const checklist = this.checklist(run.checklist);
    if (run.finishing) {
      return {
        kind: 'notice',
        blocks: [
          {
            type: 'notice',
            tone: 'info',
            text: `Your ${checklist.title.toLowerCase()} was interrupted as it finished. Press Continue to finish it.`,
          },
          {
            type: 'buttons',
            buttons: [{ id: ChecklistActions.continue, label: 'Continue', style: 'primary' }],
          },
        ],
      };
    }
    const step = nextStep(checklist, run.answers);
    if (!step) return undefined;
    const at = progress(checklist, run.answers, step.id);
    return {
      kind: 'notice',
      blocks: [
        {
          type: 'notice',
          tone: 'info',
          text: `You're part-way through the ${checklist.title.toLowerCase()} (step ${stepCount(at)}).`,
        },
        {
          type: 'buttons',
          buttons: [
            { id: ChecklistActions.continue, label: 'Continue the checklist', style: 'primary' },
          ],
        },
      ],
    };
  }

  /** Handles a checklist button. */
  onAction(incoming: Incoming, action: Action): Promise<Reply[]> {
    return this.turn(incoming.user, () => this.press(incoming, action));
  }

  private async press(incoming: Incoming, action: Action): Promise<Reply[]> {
    const user = incoming.user;
    if (action.id === ChecklistActions.start) {
      const raw = action.value ?? 'pretrip';
      const replace = raw.startsWith('new:');
      const [id, tripId] = (replace ? raw.slice(4) : raw).split(':');
      if (!id || !this.deps.checklists.has(id)) return [staleButton()];
      // A debrief may only follow up the user's own trip.
      const trip = tripId ? await this.deps.store.getTrip(tripId) : undefined;
      const ownTrip = trip && userKey(trip.user) === userKey(user) ? trip.id : undefined;
      return this.begin(incoming, id, ownTrip, replace);
    }
    if (action.id === ChecklistActions.myTrips) return this.myTrips(user);
    if (action.id === ChecklistActions.showTrip) return this.showTrip(user, action.value ?? '');
    const { run, expiredNotice } = await this.active(user);
    if (expiredNotice) return [expiredNotice];
    if (!run) {
      return [
        {
          kind: 'notice',
          blocks: [
            {
              type: 'notice',
              tone: 'info',
              text: "There's no checklist in progress. That button may be from an earlier one.",
            },
            startButton(),
          ],
        },
      ];
    }
    // Any button of an interrupted finish (Continue, or the last answer again) completes it.
    if (run.finishing) return this.finish(incoming, run);
    switch (action.id) {
      case ChecklistActions.answer: {
        const value = action.value ?? '';
        const at = value.indexOf('=');
        const stepId = value.slice(0, at);
        const step = nextStep(this.checklist(run.checklist), run.answers);
        if (at < 1 || !step || step.id !== stepId) {
          return this.ask(run, {
            error: 'That button is from an earlier step. Here is where you are now.',
          });
        }
        // A multiple choice arrives as its chosen option values joined by commas.
        const answer = value
          .slice(at + 1)
          .split(',')
          .map((v) => v.replace(`${stepId}=`, ''))
          .join(',');
        return this.applyAnswer(incoming, run, stepId, answer);
      }
      case ChecklistActions.back:
        return this.navigate(incoming, run, 'back');
      case ChecklistActions.skip:
        return this.navigate(incoming, run, 'skip');
      case ChecklistActions.cancel:
        return this.navigate(incoming, run, 'cancel');
      case ChecklistActions.continue:
        return this.navigate(incoming, run, 'continue');
      case ChecklistActions.restart:
        return this.navigate(incoming, run, 'restart');
      default:
        return [staleButton()];
    }
  }

  private answerContext(run: RunState) {
    return {
      today: this.today(),
      answers: run.answers,
      findSisterCity: registerLookup(this.deps.knowledge),
    };
  }

  private async applyAnswer(
    incoming: Incoming,
    run: RunState,
    stepId: string,
    input: string,
  ): Promise<Reply[]> {
    const checklist = this.checklist(run.checklist);
    const step = checklist.steps.find((s) => s.id === stepId);
    if (!step) return this.ask(run);
    const parsed = parseAnswer(step, input, this.answerContext(run));
    if (!parsed.ok) {
      await this.save(incoming.user, run);
      return this.ask(run, { error: parsed.error, offers: parsed.offers });
    }
    run.answers[step.id] = parsed.value;
    run.history.push(step.id);
    if (nextStep(checklist, run.answers)) {
      // Awaited: an answer the user gave must survive a restart.
      await this.save(incoming.user, run);
      return this.ask(run);
    }
    return this.finish(incoming, run);
  }

  private async navigate(
    incoming: Incoming,
    run: RunState,
    command: 'continue' | 'back' | 'skip' | 'cancel' | 'restart',
  ): Promise<Reply[]> {
    const checklist = this.checklist(run.checklist);
    const user = incoming.user;
    switch (command) {
      case 'continue':
        // Coming back counts as activity, so the expiry clock starts again.
        await this.save(user, run);
        return this.ask(run);
      case 'back': {
        const previous = run.history.pop();
        if (!previous)
          return this.ask(run, {
            error: "You're at the first step, so there's nothing to go back to.",
          });
        delete run.answers[previous];
        await this.save(user, run);
        return this.ask(run);
      }
      case 'skip': {
        const step = nextStep(checklist, run.answers);
        if (!step) return this.ask(run);
        if (!step.optional)
          return this.ask(run, { error: 'This step is needed, so it cannot be skipped.' });
        run.answers[step.id] = null;
        run.history.push(step.id);
        if (nextStep(checklist, run.answers)) {
          await this.save(user, run);
          return this.ask(run);
        }
        return this.finish(incoming, run);
      }
      case 'cancel':
        await this.save(user, undefined);
        this.deps.logger.info(
          { user: userKey(user), checklist: run.checklist },
          'checklist cancelled',
        );
        return [
          {
            kind: 'notice',
            blocks: [
              {
                type: 'notice',
                tone: 'info',
                text: `I've cancelled the ${checklist.title.toLowerCase()} and cleared your answers.`,
              },
              {
                type: 'buttons',
                buttons: [
                  { id: ChecklistActions.start, label: 'Start again', value: run.checklist },
                ],
              },
            ],
          },
        ];
      case 'restart':
        await this.save(user, undefined);
        return this.begin(incoming, run.checklist, run.tripId);
    }
  }

  /**
   * Finishes a run. Its ids are fixed and saved in the run first (the commit point); then the
   * record is written, then the case that names it, then the debrief job, and the run is
   * cleared last. Each write is skipped when already done, so finishing a run again after a
   * crash at any point completes it with one record and at most one case.
   */
  private async finish(incoming: Incoming, run: RunState): Promise<Reply[]> {
    const { store, clock, escalator, knowledge, logger } = this.deps;
    const checklist = this.checklist(run.checklist);
    const answers = effectiveAnswers(checklist, run.answers);
    const flags = evaluateFlags(checklist, answers);
    const count = (severity: string) => flags.filter((f) => f.severity === severity).length;
    const always = checklist.escalate === 'always';
    if (!run.finishing) {
      const at = clock.now();
      let recordId = await nextId(store, checklist.recordPrefix, at);
      // The counters start above every stored id, so this only skips ids a restore brought back.
      while (await store.hasTrip(recordId))
        recordId = await nextId(store, checklist.recordPrefix, at);
      const escalate =
        always || count('high') > 0 || count('warning') >= this.deps.escalateWarnings;
      const caseId = escalate ? await escalator.reserveId(at) : undefined;
      run.finishing = { at: at.toISOString(), recordId, ...(caseId ? { caseId } : {}) };
      await this.save(incoming.user, run);
    }
    const { recordId: id, caseId } = run.finishing;
    const endDate = typeof answers['end-date'] === 'string' ? answers['end-date'] : undefined;
    let record: TripRecord = {
      id,
      checklist: run.checklist,
      user: incoming.user,
      createdAt: run.finishing.at,
      answers,
      summary: visibleSteps(checklist, answers).map((s) => ({
        stepId: s.id,
        label: s.label,
        answer: displayAnswer(s, answers[s.id] ?? null),
      })),
      flags,
      ...(caseId ? { escalationId: caseId } : {}),
      ...(endDate ? { endDate } : {}),
      ...(run.tripId ? { tripId: run.tripId } : {}),
    };
    // The record goes first, so a case never names a record that is not stored.
    const stored = (await store.hasTrip(id)) ? await store.getTrip(id) : undefined;
    if (stored && userKey(stored.user) !== userKey(incoming.user)) {
      // Only possible if ids were reissued (trips.jsonl restored without the rest): never
      // show someone else's record; take new ids instead.
      logger.error(
        { id, user: userKey(incoming.user) },
        'record id already taken; using a new one',
      );
      run.finishing = undefined;
      return this.finish(incoming, run);
    }
    if (stored) record = stored;
    else await store.addTrip(record);
    const high = record.flags.filter((f) => f.severity === 'high').length;
    const warnings = record.flags.filter((f) => f.severity === 'warning').length;
    const extra: Block[] = [];
    if (caseId) {
      const flagged = `${high} high and ${warnings} warning flag${warnings === 1 ? '' : 's'}`;
      const receipt = await escalator.escalate({
        id: caseId,
        source: checklist.source,
        reporter: incoming.user,
        summary: always
          ? `${checklist.title} ${id}${high ? ` (${flagged})` : ''}`
          : `${checklist.title} ${id}: ${flagged}.`,
        flags: record.flags,
        answers: record.summary,
        tripId: run.tripId ?? id,
      });
      // The receipt names the security contact and says whether they were reached.
      const why = always
        ? 'Thank you for raising this.'
        : high > 0
          ? 'Some answers are high risk, so this needs a closer look.'
          : `There are ${warnings} warnings, so this needs a closer look.`;
      extra.push({
        type: 'notice',
        tone: always ? 'info' : 'warning',
        text: `${why} ${receipt.message}`,
      });
    } else {
      extra.push({
        type: 'notice',
        tone: 'info',
        text: 'Nothing here needs to go to your security contact. Say "my trips" to see this summary again.',
      });
    }
    if (checklist.source === 'pretrip' && endDate) {
      const due = nextDay(endDate);
      // Scheduling replaces a job with the same id, so doing it again changes nothing.
      await store.scheduleJob({
        id: `debrief:${id}`,
        dueAt: nzWallTime(due, 9).toISOString(),
        kind: 'debrief',
        user: incoming.user,
        tripId: id,
      });
      extra.push(debriefNote(due));
    }
    await this.save(incoming.user, undefined);
    logger.info(
      {
        user: userKey(incoming.user),
        checklist: run.checklist,
        id,
        high,
        warnings,
        escalation: caseId,
      },
      'checklist finished',
    );
    return [summaryReply(knowledge, checklist, record, extra)];
  }

  /** Lists the user's finished checklists. */
  async myTrips(user: UserRef): Promise<Reply[]> {
    return [tripsReply(await this.deps.store.listTrips(userKey(user)))];
  }

  private async showTrip(user: UserRef, id: string): Promise<Reply[]> {
    const trip = await this.deps.store.getTrip(id);
    // Only the owner sees a record; anyone else is told it was not found.
    if (!trip || userKey(trip.user) !== userKey(user))
      return [staleButton("I couldn't find that checklist.")];
    const checklist = this.deps.checklists.get(trip.checklist);
    if (!checklist) return [staleButton("I couldn't find that checklist.")];
    const reply = summaryReply(this.deps.knowledge, checklist, trip);
    reply.blocks[0] = {
      type: 'notice',
      tone: 'info',
      text: `${checklist.title} ${trip.id}, finished ${formatDate(trip.createdAt.slice(0, 10))}.`,
    };
    return [reply];
  }
}

function staleButton(
  text = "I didn't recognise that button. It may be from an old message.",
): Reply {
  return { kind: 'error', blocks: [{ type: 'notice', tone: 'warning', text }] };
}
