import { formatDate } from '../clock.js';
import { escapeMarkdown } from '../markdown.js';
import type { Block, Button, Reply, UserRef } from '../model.js';
import { type Case, type CaseNotification, isFinal, STATUS_LABEL } from './case.js';

/** Action ids for cases; each value is a case id unless noted. */
export const CaseActions = {
  ack: 'case:ack',
  info: 'case:info',
  resolve: 'case:resolve',
  close: 'case:close',
  backup: 'case:backup',
  /** The reporter answers a request for information. */
  reply: 'case:reply',
  show: 'case:show',
  /** "Ask the security contact"; value: the guidance entry id the question follows, if any. */
  ask: 'case:ask',
  list: 'case:list',
} as const;

const nzTime = (iso: string) =>
  new Date(iso).toLocaleString('en-NZ', {
    timeZone: 'Pacific/Auckland',
    hour: 'numeric',
    minute: '2-digit',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });

/** "3 hours", "2 days": how long ago, for case lists. */
export function age(fromIso: string, now: Date): string {
  const mins = Math.max(0, Math.round((now.getTime() - new Date(fromIso).getTime()) / 60000));
  if (mins < 60) return `${mins} minute${mins === 1 ? '' : 's'}`;
  const hours = Math.round(mins / 60);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'}`;
  const days = Math.round(hours / 24);
  return `${days} days`;
}

function who(user: UserRef): string {
  return `${escapeMarkdown(user.name ?? user.id)} (${user.platform})`;
}

/** The buttons a contact uses on an open case. */
export function contactButtons(c: Case): Block {
  const buttons: Button[] = isFinal(c.status)
    ? [{ id: CaseActions.show, label: 'Show case', value: c.id }]
    : [
        ...(c.status === 'new'
          ? [{ id: CaseActions.ack, label: 'Acknowledge', value: c.id, style: 'primary' as const }]
          : []),
        { id: CaseActions.info, label: 'Ask for information', value: c.id },
        { id: CaseActions.resolve, label: 'Resolve', value: c.id },
        { id: CaseActions.close, label: 'Close with no action', value: c.id },
        ...(c.assignedTo === 'primary'
          ? [{ id: CaseActions.backup, label: 'Hand to backup', value: c.id }]
          : []),
      ];
  return { type: 'buttons', buttons };
}

/** Everything a contact needs to act on a case. Reporter text is escaped. */
export function caseCard(c: Case, headline: string): Reply {
  const lines = [
    `**Case ${c.id}** (${STATUS_LABEL[c.status]})`,
    `**Raised by:** ${who(c.reporter)}, ${nzTime(c.raisedAt)}`,
    `**Why:** ${escapeMarkdown(c.summary)}`,
  ];
  if (c.details) lines.push(`**In their words:** ${escapeMarkdown(c.details)}`);
  const blocks: Block[] = [
    { type: 'notice', tone: c.status === 'new' ? 'warning' : 'info', text: headline },
    { type: 'paragraph', text: lines.join('\n\n') },
  ];
  if (c.flags.length) {
    blocks.push({
      type: 'paragraph',
      text: `**Flags**\n${c.flags.map((f) => `- ${f.severity.toUpperCase()}: ${escapeMarkdown(f.title)}`).join('\n')}`,
    });
  }
  if (c.answers.length) {
    blocks.push({
      type: 'paragraph',
      text: `**Answers**\n${c.answers.map((a) => `- ${escapeMarkdown(a.label)}: ${escapeMarkdown(a.answer)}`).join('\n')}`,
    });
  }
  const exchanges = c.history.filter(
    (e) =>
      e.type === 'info-requested' ||
      e.type === 'info-provided' ||
      e.type === 'resolved' ||
      e.type === 'closed',
  );
  if (exchanges.length) {
    blocks.push({
      type: 'paragraph',
      text: `**So far**\n${exchanges.map((e) => `- ${nzTime(e.at)}, ${e.type.replace('-', ' ')}${e.note ? `: ${escapeMarkdown(e.note)}` : ''}`).join('\n')}`,
    });
  }
  blocks.push(contactButtons(c));
  return { kind: 'notice', blocks };
}

/** The message a notification carries, built from the case as it is now. */
export function notificationReply(c: Case, n: CaseNotification, now: Date): Reply {
  const due = `Please acknowledge by ${nzTime(c.ackDueAt)}.`;
  switch (n.kind) {
    case 'new-case':
      return caseCard(c, `New case ${c.id} for the security contact. ${due}`);
    case 'reminder':
      return caseCard(
        c,
        `Reminder: case ${c.id} has waited ${age(c.raisedAt, now)} without acknowledgement. ${due}`,
      );
    case 'backup':
      return caseCard(
        c,
        n.text ??
          `Case ${c.id} was not acknowledged in time, so it has come to you as the backup contact.`,
      );
    case 'info-provided':
      return caseCard(c, `The reporter replied on case ${c.id}.`);
    case 'info-request':
      return {
        kind: 'notice',
        blocks: [
          {
            type: 'notice',
            tone: 'info',
            text: `Your security contact has a question about case ${c.id}.`,
          },
          { type: 'paragraph', text: `“${escapeMarkdown(n.text ?? '')}”` },
          {
            type: 'buttons',
            buttons: [{ id: CaseActions.reply, label: 'Reply', value: c.id, style: 'primary' }],
          },
        ],
      };
    case 'status':
      return {
        kind: 'notice',
        blocks: [
          {
            type: 'notice',
            tone: c.status === 'resolved' ? 'success' : 'info',
            text: n.text ?? `Case ${c.id}: ${STATUS_LABEL[c.status]}.`,
          },
        ],
      };
  }
}

/** Open cases with their age, for a contact asking "cases". */
export function casesListReply(cases: Case[], now: Date, forContact: boolean): Reply {
  if (!cases.length) {
    return {
      kind: 'notice',
      blocks: [
        {
          type: 'paragraph',
          text: forContact ? 'There are no open cases.' : "You haven't raised any cases.",
        },
      ],
    };
  }
  const failed = (c: Case) => c.notifications.filter((n) => n.status === 'failed').length;
  const line = (c: Case) =>
    `- **${c.id}**: ${STATUS_LABEL[c.status]}, raised ${age(c.raisedAt, now)} ago${forContact ? ` by ${who(c.reporter)}` : ''}. ${escapeMarkdown(c.summary)}${forContact && failed(c) ? ` (${failed(c)} message${failed(c) === 1 ? '' : 's'} could not be delivered)` : ''}`;
  return {
    kind: 'notice',
    blocks: [
      {
        type: 'paragraph',
        text: `**${forContact ? 'Open cases' : 'Your cases'}** (${cases.length})\n${cases.map(line).join('\n')}`,
      },
      {
        type: 'buttons',
        buttons: cases
          .slice(0, 5)
          .map((c) => ({ id: CaseActions.show, label: `Show ${c.id}`, value: c.id })),
      },
    ],
  };
}

/** A case as its reporter sees it: status and the exchanges, without contact controls. */
export function reporterView(c: Case): Reply {
  const events = c.history
    .filter(
      (e) =>
        e.type !== 'unauthorised-attempt' && e.type !== 'reminded' && e.type !== 'sent-to-backup',
    )
    .map(
      (e) =>
        `- ${nzTime(e.at)}: ${e.type.replace(/-/g, ' ')}${e.note && (e.type === 'info-requested' || e.type === 'info-provided' || e.type === 'resolved') ? ` (“${escapeMarkdown(e.note)}”)` : ''}`,
    );
  return {
    kind: 'notice',
    blocks: [
      {
        type: 'paragraph',
        text: `**Case ${c.id}**: ${STATUS_LABEL[c.status]}, raised ${formatDate(c.raisedAt.slice(0, 10))}.\n${events.join('\n')}`,
      },
    ],
  };
}
