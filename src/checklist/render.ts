import { formatDate } from '../clock.js';
import type { Knowledge } from '../knowledge/index.js';
import { escapeMarkdown } from '../markdown.js';
import type { Block, Button, Reply } from '../model.js';
import type { TripRecord } from '../storage/index.js';
import type { Checklist, Severity, Step } from './definition.js';
import type { Destination, FlagHit, Progress } from './engine.js';

/** Action ids for checklists. Values are described beside each. */
export const ChecklistActions = {
  /** value: checklist id, or `debrief:<tripId>` */
  start: 'checklist:start',
  /** value: `<stepId>=<answer>` */
  answer: 'checklist:answer',
  back: 'checklist:back',
  skip: 'checklist:skip',
  cancel: 'checklist:cancel',
  continue: 'checklist:continue',
  restart: 'checklist:restart',
  /** value: a trip record id */
  showTrip: 'checklist:trip',
  myTrips: 'checklist:my-trips',
} as const;

const SEVERITY_LABEL: Record<Severity, string> = {
  high: 'High',
  warning: 'Warning',
  info: 'For your information',
};

function guidanceButtons(knowledge: Knowledge, ids: string[], prefix = ''): Button[] {
  return ids
    .map((id) => knowledge.byId.get(id))
    .filter((e) => e !== undefined)
    .map((e) => ({ id: 'show-entry', label: `${prefix}${e.title}`, value: e.id }));
}

/** A "Start pre-trip checklist" button. */
export function startButton(): Block {
  return {
    type: 'buttons',
    buttons: [
      {
        id: ChecklistActions.start,
        label: 'Start pre-trip checklist',
        value: 'pretrip',
        style: 'primary',
      },
    ],
  };
}

/** "4 of 18", or "1 of about 18" while later answers can still change the total. */
export function stepCount(at: Progress): string {
  return `${at.index} of ${at.exact ? '' : 'about '}${at.total}`;
}

/** One step, as a question with its choices, help, guidance and navigation. */
export function stepReply(
  knowledge: Knowledge,
  step: Step,
  at: Progress,
  opts: { canGoBack: boolean; error?: string; offers?: Destination[] },
): Reply {
  const blocks: Block[] = [];
  if (opts.error) blocks.push({ type: 'notice', tone: 'warning', text: opts.error });
  blocks.push({ type: 'paragraph', text: `**Step ${stepCount(at)}**` });
  const value = (v: string) => `${step.id}=${v}`;
  if (step.type === 'yesno') {
    blocks.push({
      type: 'choice',
      id: ChecklistActions.answer,
      question: step.question,
      options: [
        { label: 'Yes', value: value('yes') },
        { label: 'No', value: value('no') },
      ],
    });
  } else if (step.type === 'single' || step.type === 'multi') {
    blocks.push({
      type: 'choice',
      id: ChecklistActions.answer,
      question: step.question,
      options: step.options.map((o) => ({ label: o.label, value: value(o.value) })),
      multiple: step.type === 'multi',
    });
  } else {
    blocks.push({ type: 'paragraph', text: `${step.question}\n\nType your answer below.` });
  }
  if (opts.offers?.length) {
    blocks.push({
      type: 'choice',
      id: ChecklistActions.answer,
      question: 'Matches from the sister-city register:',
      options: opts.offers.map((d) => ({
        label: `${d.city}, ${d.country}`,
        value: value(`${d.city}, ${d.country}`),
      })),
    });
  }
  if (step.help) blocks.push({ type: 'paragraph', text: step.help });
  const guidance = guidanceButtons(knowledge, step.guidance, 'Read: ');
  if (guidance.length) blocks.push({ type: 'buttons', buttons: guidance });
  const nav: Button[] = [];
  if (opts.canGoBack) nav.push({ id: ChecklistActions.back, label: 'Back' });
  if (step.optional) nav.push({ id: ChecklistActions.skip, label: 'Skip' });
  nav.push({ id: ChecklistActions.cancel, label: 'Cancel', style: 'danger' });
  blocks.push({ type: 'buttons', buttons: nav });
  return { kind: 'notice', blocks };
}

/** Flags grouped by severity, each with advice and a button to the guidance behind it. */
export function flagBlocks(knowledge: Knowledge, flags: FlagHit[]): Block[] {
  if (!flags.length)
    return [
      { type: 'paragraph', text: '**Flags:** none. Nothing in your answers needs a closer look.' },
    ];
  const blocks: Block[] = [];
  for (const severity of ['high', 'warning', 'info'] as const) {
    const group = flags.filter((f) => f.severity === severity);
    if (!group.length) continue;
    blocks.push({
      type: 'paragraph',
      text: `**${SEVERITY_LABEL[severity]} (${group.length})**\n${group.map((f) => `- **${f.title}.** ${f.advice}`).join('\n')}`,
    });
    const buttons = group.flatMap((f) =>
      guidanceButtons(knowledge, f.guidance ? [f.guidance] : [], 'Read: '),
    );
    const unique = buttons.filter((b, i) => buttons.findIndex((x) => x.value === b.value) === i);
    if (unique.length) blocks.push({ type: 'buttons', buttons: unique });
  }
  return blocks;
}

/** The answers of a finished run. User-typed text is escaped so it shows literally. */
export function answersBlock(record: Pick<TripRecord, 'summary'>): Block {
  return {
    type: 'paragraph',
    text: `**Your answers**\n${record.summary.map((l) => `- **${escapeMarkdown(l.label)}:** ${escapeMarkdown(l.answer)}`).join('\n')}`,
  };
}

/** The summary shown when a run finishes, or when a trip is looked up later. */
export function summaryReply(
  knowledge: Knowledge,
  checklist: Checklist,
  record: TripRecord,
  extra: Block[] = [],
): Reply {
  return {
    kind: 'notice',
    blocks: [
      {
        type: 'notice',
        tone: 'success',
        text: `${checklist.title} complete. Your reference is ${record.id}.`,
      },
      answersBlock(record),
      ...flagBlocks(knowledge, record.flags),
      ...extra,
    ],
  };
}

/** Counts of flags by severity, e.g. "1 high, 2 warnings". */
export function flagCounts(flags: { severity: Severity }[]): string {
  const n = (s: Severity) => flags.filter((f) => f.severity === s).length;
  const parts = [
    n('high') ? `${n('high')} high` : '',
    n('warning') ? `${n('warning')} warning${n('warning') === 1 ? '' : 's'}` : '',
    n('info') ? `${n('info')} for information` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'no flags';
}

/** The user's past checklists, newest first. */
export function tripsReply(trips: TripRecord[]): Reply {
  if (!trips.length) {
    return {
      kind: 'notice',
      blocks: [
        { type: 'paragraph', text: "You haven't finished a pre-trip checklist yet." },
        startButton(),
      ],
    };
  }
  const newest = [...trips].reverse().slice(0, 10);
  const line = (t: TripRecord) => {
    const purpose = t.summary.find((l) => l.stepId === 'purpose')?.answer;
    const when = t.summary.find((l) => l.stepId === 'start-date')?.answer;
    const what =
      t.checklist === 'debrief'
        ? `Debrief for ${t.tripId ?? 'a trip'}`
        : purpose
          ? escapeMarkdown(purpose)
          : 'Pre-trip checklist';
    return `- **${t.id}**: ${what}${when ? `, from ${escapeMarkdown(when)}` : ''}. ${flagCounts(t.flags)}${t.escalationId ? `; passed to your security contact (${t.escalationId})` : ''}.`;
  };
  return {
    kind: 'notice',
    blocks: [
      {
        type: 'paragraph',
        text: `**Your checklists** (newest first)\n${newest.map(line).join('\n')}`,
      },
      {
        type: 'buttons',
        buttons: newest
          .slice(0, 5)
          .map((t) => ({ id: ChecklistActions.showTrip, label: `Show ${t.id}`, value: t.id })),
      },
    ],
  };
}

/** A short dated note, e.g. for the debrief reminder. */
export function debriefNote(day: string): Block {
  return {
    type: 'notice',
    tone: 'info',
    text: `I'll check in with a short debrief on ${formatDate(day)}, the day after the visit ends.`,
  };
}
