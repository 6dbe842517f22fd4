/**
 * Summarises a V8 heap snapshot (`node --heapsnapshot-signal=SIGUSR2`, then `kill -USR2 PID`):
 * total size, and the largest groups of objects by constructor or kind (shallow sizes), plus
 * compiled code and strings by script.
 *   npx tsx bench/heap.ts Heap.*.heapsnapshot [top=25]
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('Usage: npx tsx bench/heap.ts FILE.heapsnapshot [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const fields = s.snapshot.meta.node_fields;
const types = s.snapshot.meta.node_types[0];
const F = fields.length;
const iType = fields.indexOf('type');
const iName = fields.indexOf('name');
const iSize = fields.indexOf('self_size');
const groups = new Map<string, { size: number; count: number }>();
let total = 0;
for (let i = 0; i < s.nodes.length; i += F) {
  const type = types[s.nodes[i + iType]!] ?? '?';
  const size = s.nodes[i + iSize]!;
  total += size;
  let name = s.strings[s.nodes[i + iName]!] ?? '';
  // Group strings and code by kind; objects by constructor.
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string')
    name = '(strings)';
  else if (type === 'code') name = '(compiled code)';
  else if (type === 'array') name = `(internal array) ${name.length > 40 ? '' : name}`;
  else if (type === 'hidden') name = `(hidden) ${name.slice(0, 40)}`;
  else if (type === 'closure') name = '(closures)';
  else if (type === 'number') name = '(heap numbers)';
  else name = `${name.slice(0, 60)}`;
  const key = `${type.padEnd(8)} ${name}`;
  const g = groups.get(key) ?? { size: 0, count: 0 };
  g.size += size;
  g.count++;
  groups.set(key, g);
}
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;
console.log(`${file}: ${mb(total)} in ${(s.nodes.length / F).toLocaleString()} objects\n`);
for (const [k, g] of [...groups].sort((a, b) => b[1].size - a[1].size).slice(0, top))
  console.log(`${mb(g.size).padStart(9)}  ${String(g.count).padStart(8)}  ${k}`);

// The largest single strings: mostly the source text of loaded modules.
const big: [number, string][] = [];
for (let i = 0; i < s.nodes.length; i += F) {
  if (types[s.nodes[i + iType]!] !== 'string') continue;
  const size = s.nodes[i + iSize]!;
  if (size > 50_000)
    big.push([size, (s.strings[s.nodes[i + iName]!] ?? '').slice(0, 70).replace(/\s+/g, ' ')]);
}
console.log('\nLargest strings (module sources, mostly):');
for (const [size, text] of big.sort((a, b) => b[0] - a[0]).slice(0, 12))
  console.log(`${mb(size).padStart(9)}  ${text}`);
