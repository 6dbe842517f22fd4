/**
 * Command-line access to the core, for curators and scripts:
 *   ask "question"            the answer as a person would read it
 *   ask --json "question"     exactly one JSON object
 *   ask --json                one question per line on stdin, one JSON object per line out
 *   knowledge check           validates the knowledge and reports what needs a curator's attention
 *   eval [--misses] [--dev]   answer-quality figures: the suite, the blind halves and the fresh set side by side
 *                             (--dev: only the sets that may be studied, for tuning)
 *   eval file.yaml            the figures and misses for one question set
 *   cases … / audit export    cases and the audit log, from PostgreSQL when DATABASE_URL is set,
 *                             else from DATA_DIR (as the app chooses)
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { answerText } from './answer.js';
import { openCliRecords } from './cli-stores.js';
import { nzDay, systemClock } from './clock.js';
import { type Config, loadConfig, loadDotEnv } from './config.js';
import { isAdvisorError } from './errors.js';
import { STATUS_LABEL } from './escalation/case.js';
import { type Contacts, loadContacts } from './escalation/contacts.js';
import {
  auditToCsv,
  auditToJson,
  casesToCsv,
  casesToJson,
  caseToText,
} from './escalation/export.js';
import { NameBook } from './escalation/names.js';
import { type Knowledge, loadKnowledge, reviewKnowledge } from './knowledge/index.js';
import { nzShort } from './nz-time.js';
import { BUILD_CACHE, PROJECT_ROOT } from './paths.js';
import {
  evaluate,
  formatReport,
  formatTable,
  loadQuestionSet,
  loadStandardSets,
} from './quality/eval.js';
import { replyToPlain } from './replies.js';
import { Retriever } from './retrieval/index.js';

const USAGE = `Usage:
  npm run --silent cli -- ask "question"
  npm run --silent cli -- ask --json "question"
  npm run --silent cli -- ask --json < questions.txt
  npm run --silent cli -- knowledge check
  npm run --silent cli -- eval [--misses] [--dev]
  npm run --silent cli -- eval questions.yaml
  npm run --silent cli -- cases list
  npm run --silent cli -- cases show SC-2026-0001
  npm run --silent cli -- cases export --format csv|json
  npm run --silent cli -- cases purge [--days N]
  npm run --silent cli -- audit export [--format csv|json]
  npm run --silent cli -- migrate --from-dir DATA_DIR   (copies a data folder into DATABASE_URL)`;

/** The JSON shape `ask --json` prints, one object per question. */
export interface AskResult {
  question: string;
  answered: boolean;
  text: string;
  sources: { title: string; publisher: string; url: string; date: string }[];
  entryId: string | null;
  score: number | null;
}

/** Answers one question with the same rules as the bot (small talk, confidence, refusal). */
export function ask(
  knowledge: Knowledge,
  retriever: Retriever,
  question: string,
  today: string,
): AskResult {
  const { reply, answered, top } = answerText(knowledge, retriever, question, today);
  // Sources and id come from the reply itself, so register answers carry theirs too.
  const sources = answered
    ? reply.blocks.flatMap((b) => (b.type === 'sources' ? b.sources : []))
    : [];
  return {
    question,
    answered,
    text: replyToPlain(reply),
    sources: sources.map(({ title, publisher, url, date }) => ({ title, publisher, url, date })),
    entryId: answered ? (reply.entryId ?? null) : null,
    score: top ? Math.round(top.score * 1000) / 1000 : null,
  };
}

async function runAsk(args: string[], knowledgeDir: string, dataDir: string): Promise<number> {
  const caches = [join(dataDir, 'cache'), BUILD_CACHE];
  const json = args.includes('--json');
  const question = args
    .filter((a) => a !== '--json')
    .join(' ')
    .trim();
  const knowledge = await loadKnowledge(knowledgeDir, { cacheDirs: caches });
  const retriever = new Retriever(knowledge, undefined, undefined, caches);
  const today = nzDay(systemClock.now());
  if (question) {
    const result = ask(knowledge, retriever, question, today);
    process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${result.text}\n`);
    return 0;
  }
  if (!json) {
    process.stderr.write(
      `ask needs a question, or --json to read questions from stdin.\n${USAGE}\n`,
    );
    return 2;
  }
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (!line.trim()) continue;
    process.stdout.write(`${JSON.stringify(ask(knowledge, retriever, line.trim(), today))}\n`);
  }
  return 0;
}

async function runKnowledgeCheck(knowledgeDir: string): Promise<number> {
  let knowledge: Knowledge;
  try {
    knowledge = await loadKnowledge(knowledgeDir);
  } catch (err) {
    if (!isAdvisorError(err, 'knowledge_invalid')) throw err;
    process.stdout.write(`${err.message}\n`);
    return 1;
  }
  const today = nzDay(systemClock.now());
  const r = reviewKnowledge(knowledge, today);
  const register = knowledge.register;
  const ties = register?.councils.reduce((n, c) => n + c.relationships.length, 0) ?? 0;
  const out: string[] = [
    `Knowledge OK: ${knowledge.entries.length} entries in ${knowledgeDir}${register ? `, a sister-city register of ${register.councils.length} councils with ${ties} relationships` : ''}${knowledge.nzCouncils ? `, and a list of ${knowledge.nzCouncils.councils.length} NZ councils` : ''}.`,
  ];
  const section = (title: string, lines: string[]) => {
    if (lines.length) out.push('', `${title} (${lines.length}):`, ...lines.map((l) => `  - ${l}`));
  };
  section(
    'Past their review-by date',
    r.overdue.map((e) => `${e.id} (${e.file}): review by ${e.reviewBy}`),
  );
  section(
    'Due for review within 30 days',
    r.dueSoon.map((e) => `${e.id} (${e.file}): review by ${e.reviewBy}`),
  );
  section(
    'No primary source (only news reports or copies)',
    r.noPrimarySource.map((e) => `${e.id} (${e.file})`),
  );
  section(
    'Example questions listed under more than one entry',
    r.duplicateQuestions.map((d) => `"${d.question}": ${d.entries.join(', ')}`),
  );
  section(
    'Curated declines and known gaps that are also example questions (the example wins)',
    r.contradictions.map(
      (c) => `"${c.question}": a ${c.listedAs}, and an example of ${c.entries.join(', ')}`,
    ),
  );
  section('Register councils with no primary source', r.registerNoPrimarySource);
  section('Register relationships where sources differ', r.registerDisputes);
  if (r.registerOverdue)
    out.push(
      '',
      `The sister-city register is past its review-by date (${knowledge.register?.reviewBy}).`,
    );
  if (out.length === 1) out.push('Nothing needs attention.');
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

/** The question sets, beside the tests that gate on them. */
const QUALITY_DIR = join(PROJECT_ROOT, 'test', 'quality');

async function runEval(knowledgeDir: string, args: string[]): Promise<number> {
  const knowledge = await loadKnowledge(knowledgeDir);
  const retriever = new Retriever(knowledge);
  const today = nzDay(systemClock.now());
  const file = args.find((a) => !a.startsWith('--'));
  if (file) {
    const report = evaluate(knowledge, await loadQuestionSet(file), today, retriever);
    process.stdout.write(`${formatReport(report)}\n`);
    return 0;
  }
  // --dev reports only the sets that may be studied, for use while tuning.
  const sets = (await loadStandardSets(QUALITY_DIR)).filter(
    (s) => s.study || !args.includes('--dev'),
  );
  const rows = sets.map(({ name, set, study }) => ({
    name,
    study,
    report: evaluate(knowledge, set, today, retriever),
  }));
  process.stdout.write(`${formatTable(rows)}\n`);
  if (args.includes('--misses')) {
    // Held-out sets give figures only: their questions must not steer the retriever.
    for (const { name, study, report } of rows.filter((r) => r.study)) {
      if (study) process.stdout.write(`\n## ${name}\n${formatReport(report)}\n`);
    }
  } else {
    process.stdout.write(
      '\nAdd --misses to list what went wrong in the sets that may be studied.\n',
    );
  }
  return 0;
}

/** The contacts file, for names; the CLI works without it. */
async function contactsForNames(config: Config): Promise<Contacts | undefined> {
  return loadContacts(config.CONTACTS_FILE).catch(() => undefined);
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function runCases(args: string[], config: Config): Promise<number> {
  const [sub, arg] = args;
  if (sub === 'purge') {
    const days = Number(option(args, 'days') ?? config.CASE_RETENTION_DAYS);
    if (!Number.isInteger(days) || days < 1) {
      process.stderr.write('--days must be a whole number of days, 1 or more.\n');
      return 2;
    }
    // Purging writes, so with files it takes the data directory's lock: the bot must be stopped.
    const records = await openCliRecords(config, { write: true });
    try {
      const before = new Date(Date.now() - days * 86_400_000).toISOString();
      const n = await records.cases.purge(before);
      await records.audit({
        at: new Date().toISOString(),
        type: 'cases-purged',
        actor: 'cli',
        data: { count: n, before },
      });
      process.stdout.write(
        `Purged ${n} finished case${n === 1 ? '' : 's'} closed before ${nzShort(before)}.\n`,
      );
    } finally {
      await records.close();
    }
    return 0;
  }
  if (!(sub === 'list' || (sub === 'show' && arg) || sub === 'export')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const format = option(args, 'format') ?? 'csv';
  if (sub === 'export' && format !== 'csv' && format !== 'json') {
    process.stderr.write('--format must be csv or json.\n');
    return 2;
  }
  // Reading takes no lock, so contacts and auditors can run these while the bot runs.
  const records = await openCliRecords(config, { write: false });
  try {
    const cases = records.cases;
    if (sub === 'show' && arg) {
      const c = await cases.get(arg);
      if (!c) {
        process.stderr.write(`No case ${arg}.\n`);
        return 1;
      }
      process.stdout.write(`${caseToText(c, new NameBook([c], await contactsForNames(config)))}\n`);
      return 0;
    }
    const all = await cases.listAll();
    if (sub === 'list') {
      if (!all.length) process.stdout.write('No cases.\n');
      for (const c of all)
        process.stdout.write(
          `${c.id}  ${nzShort(c.raisedAt)}  ${STATUS_LABEL[c.status].padEnd(26)}  ${c.source.padEnd(8)}  ${c.summary}\n`,
        );
      return 0;
    }
    const names = new NameBook(all, await contactsForNames(config));
    process.stdout.write(
      format === 'json'
        ? `${JSON.stringify(casesToJson(all, names), null, 2)}\n`
        : casesToCsv(all, names),
    );
    return 0;
  } finally {
    await records.close();
  }
}

async function runAuditExport(args: string[], config: Config): Promise<number> {
  const format = option(args, 'format') ?? 'csv';
  if (format !== 'csv' && format !== 'json') {
    process.stderr.write('--format must be csv or json.\n');
    return 2;
  }
  const records = await openCliRecords(config, { write: false });
  try {
    const events = await records.readAudit();
    // Reporters' names are recorded only in their cases.
    const names = new NameBook(await records.cases.listAll(), await contactsForNames(config));
    process.stdout.write(
      format === 'json'
        ? `${JSON.stringify(auditToJson(events, names), null, 2)}\n`
        : auditToCsv(events, names),
    );
    return 0;
  } finally {
    await records.close();
  }
}

/** `migrate --from-dir DIR`: copies a data folder into the empty database named by DATABASE_URL. */
async function runMigrate(args: string[], config: Config): Promise<number> {
  const dir = option(args, 'from-dir');
  if (!dir || !config.DATABASE_URL) {
    process.stderr.write(
      `${dir ? 'Set DATABASE_URL to the database to copy into.' : 'migrate needs --from-dir DATA_DIR.'}\n${USAGE}\n`,
    );
    return 2;
  }
  // The PostgreSQL client loads only for this command.
  const { importDataDir } = await import('./storage/pg/import.js');
  const counts = await importDataDir(dir, config.DATABASE_URL);
  process.stdout.write(`Copied ${dir} into the database:\n`);
  for (const [what, n] of Object.entries(counts)) process.stdout.write(`  ${what}: ${n}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  loadDotEnv();
  const config = loadConfig();
  const [command, ...rest] = argv;
  if (command === 'ask') return runAsk(rest, config.KNOWLEDGE_DIR, config.DATA_DIR);
  if (command === 'knowledge' && rest[0] === 'check')
    return runKnowledgeCheck(config.KNOWLEDGE_DIR);
  if (command === 'eval') return runEval(config.KNOWLEDGE_DIR, rest);
  if (command === 'cases') return runCases(rest, config);
  if (command === 'audit' && rest[0] === 'export') return runAuditExport(rest, config);
  if (command === 'migrate') return runMigrate(rest, config);
  process.stderr.write(`${command ? `Unknown command "${argv.join(' ')}".\n` : ''}${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const msg = isAdvisorError(err)
      ? `[${err.code}] ${err.message}`
      : String((err as Error)?.stack ?? err);
    process.stderr.write(`${msg}\n`);
    process.exitCode = 1;
  },
);
