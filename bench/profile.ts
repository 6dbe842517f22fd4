/**
 * Summarises a V8 CPU profile (from `node --cpu-prof`, or a benchmark's BENCH_PROF): the
 * functions with the most self time, and self time by package or project folder.
 *   npx tsx bench/profile.ts bench/profiles/slack-ours.cpuprofile [top=25]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a script lives: a package name, a project folder, or Node itself. */
function owner(url: string): string {
  if (!url) return '(native / GC / idle)';
  if (url.startsWith('node:')) return 'node core';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] ?? url;
  const own = /\/(src|adapters|test|bench|dist\/src|dist\/adapters)\/([^/]+)/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('Usage: npx tsx bench/profile.ts FILE.cpuprofile [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
p.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = [...self]
  .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
  .reduce((a, [, t]) => a + t, 0);
const busy = total - idle;
const pct = (t: number) => `${((100 * t) / busy).toFixed(1)}%`.padStart(6);

const fns = new Map<string, number>();
const owners = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id);
  if (!n || n.callFrame.functionName === '(idle)') continue;
  const { functionName, url, lineNumber } = n.callFrame;
  const short = url.replace(/^.*\/(node_modules|wt\/[^/]+|perf-base)\//, '');
  const key = `${functionName || '(anonymous)'}  ${short}:${lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + t);
  owners.set(owner(url), (owners.get(owner(url)) ?? 0) + t);
}
console.log(
  `${file}: ${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms busy (percentages are of busy time)\n`,
);
console.log('Self time by package or folder:');
for (const [k, t] of [...owners].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(t)}  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`);
console.log('\nFunctions with the most self time:');
for (const [k, t] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(t)}  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`);

// Inclusive time of the project's own functions: each sample counts once for every distinct
// project function on its stack, so a cheap function that calls something dear shows up.
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const ownKey = (n: Node) => {
  const { functionName, url, lineNumber } = n.callFrame;
  if (!/\/(src|adapters)\//.test(url) || url.includes('node_modules')) return undefined;
  return `${functionName || '(anonymous)'}  ${url.replace(/^.*\/(src|adapters)\//, '$1/')}:${lineNumber + 1}`;
};
const inclusive = new Map<string, number>();
p.samples.forEach((id, i) => {
  if (byId.get(id)?.callFrame.functionName === '(idle)') return;
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur);
    const k = n && ownKey(n);
    if (k) seen.add(k);
  }
  for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + (p.timeDeltas[i] ?? 0));
});
console.log('\nProject functions by inclusive time (their own work and what they call):');
for (const [k, t] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(t)}  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`);
