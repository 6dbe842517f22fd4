/**
 * Answer benchmark: latency (p50, p99) and answers per second over a fixed question set,
 * on the shipped knowledge and on synthetic knowledge of 1,000 and 10,000 entries; plus
 * start-up time and resident memory of the real server. Prints figures; asserts nothing.
 *   npm run bench
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { assembleBot, type Content, loadContent } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { buildKnowledge, type Entry, type Knowledge } from '../src/knowledge/index.js';
import { silentLogger } from '../src/logger.js';
import { Retriever } from '../src/retrieval/index.js';
import { FileStore } from '../src/storage/index.js';
import { percentile } from './stats.js';

const QUESTIONS = readFileSync(new URL('./questions.txt', import.meta.url), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter(Boolean);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 25);
/** The node arguments of `npm start` (package.json), so the server runs exactly as deployed. */
const START_ARGS = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: { start: string };
  }
).scripts.start
  .split(' ')
  .slice(1);

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Synthetic entries: the shipped ones repeated with varied titles, questions and filler vocabulary. */
function synthetic(base: Entry[], n: number): Knowledge {
  const vocab =
    'harbour rates library stormwater transport parks housing consent rubbish festival museum pool cemetery roading tourism water planning grants licence dog bylaw'.split(
      ' ',
    );
  const entries: Entry[] = [];
  for (let i = 0; i < n; i++) {
    const b = base[i % base.length]!;
    const w = (k: number) => vocab[(i * 7 + k * 13) % vocab.length]!;
    entries.push({
      ...b,
      id: `${b.id}-${i}`,
      title: `${b.title} (${w(1)} ${i})`,
      questions: [...b.questions.slice(0, 2), `what about ${w(2)} and ${w(3)} number ${i}?`],
      keywords: [...b.keywords, w(4), `k${i}`],
      answer: `${b.answer}\n\nThis note also covers ${w(5)}, ${w(6)} and item ${i}.`,
      related: [],
    });
  }
  return buildKnowledge(entries);
}

async function benchCore(
  label: string,
  knowledge: Knowledge,
  checklists: Content['checklists'],
): Promise<void> {
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const retriever = new Retriever(knowledge);
  const indexMs = performance.now() - t0;
  const heapIndex = process.memoryUsage().heapUsed - heapBefore;
  const dir = await mkdtemp(join(tmpdir(), 'sca-bench-'));
  const store = await FileStore.open(dir);
  const bot = assembleBot({
    knowledge,
    checklists,
    retriever,
    store,
    logger: silentLogger(),
    clock: systemClock,
    maxMessageChars: 2000,
    settings: { expiryDays: 14, escalateWarnings: 3 },
  });
  const times: number[] = [];
  let answered = 0;
  const start = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, text] of QUESTIONS.entries()) {
      const t = performance.now();
      const [reply] = await bot.handle({
        user: { platform: 'web', id: `bench${i}` },
        conversation: { id: 'b', kind: 'direct' },
        text,
      });
      times.push(performance.now() - t);
      if (round === 0 && reply?.kind === 'answer') answered++;
    }
  }
  const total = performance.now() - start;
  times.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(22)} entries=${String(knowledge.entries.length).padStart(6)}  index=${indexMs.toFixed(0).padStart(5)} ms  heap+${mb(heapIndex).padStart(8)}  p50=${percentile(times, 50).toFixed(2)} ms  p99=${percentile(times, 99).toFixed(2)} ms  ${Math.round((times.length / total) * 1000)} answers/s  answered ${answered}/${QUESTIONS.length}`,
  );
  await store.close();
  await rm(dir, { recursive: true, force: true });
}

async function benchServer(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sca-bench-srv-'));
  const t0 = performance.now();
  // As npm start runs it: compiled, built first if stale. Ten clients ask 100 questions each in a
  // few seconds: far beyond a person's message limit.
  const child = spawn(process.execPath, START_ARGS, {
    env: {
      ...process.env,
      PORT: '0',
      DATA_DIR: dir,
      LOG_LEVEL: 'warn',
      MAX_MESSAGES_PER_MINUTE: '1000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /Open (http:\/\/\S+) in your browser/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const readyMs = performance.now() - t0;
  const rss = () =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) *
    1024;
  const rssIdle = rss();
  const times: number[] = [];
  const start = performance.now();
  const concurrency = 10;
  let next = 0;
  const total = QUESTIONS.length * ROUNDS;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        const res = await fetch(new URL('/api/chat', url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId: `w${w}`, text: QUESTIONS[i % QUESTIONS.length] }),
        });
        await res.json();
        times.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - start;
  const rssLoaded = rss();
  times.sort((a, b) => a - b);
  console.log(`server start-up (npm start without npm, to "ready"): ${readyMs.toFixed(0)} ms`);
  console.log(
    `server resident memory: ${mb(rssIdle)} idle, ${mb(rssLoaded)} after ${total} requests`,
  );
  console.log(
    `HTTP POST /api/chat, ${concurrency} concurrent clients: p50=${percentile(times, 50).toFixed(2)} ms  p99=${percentile(times, 99).toFixed(2)} ms  ${Math.round((total / elapsed) * 1000)} answers/s`,
  );
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await rm(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  console.log(
    `Sister City Advisor benchmark: ${QUESTIONS.length} questions x ${ROUNDS} rounds, Node ${process.version}\n`,
  );
  const { knowledge: shipped, checklists } = await loadContent('knowledge');
  console.log('In-process (bot.handle with a file store):');
  await benchCore('shipped knowledge', shipped, checklists);
  await benchCore('synthetic 1,000', synthetic(shipped.entries, 1000), checklists);
  await benchCore('synthetic 10,000', synthetic(shipped.entries, 10000), checklists);
  console.log('\nReal server over loopback HTTP (shipped knowledge):');
  await benchServer();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
