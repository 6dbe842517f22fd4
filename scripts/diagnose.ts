/** Prints, for the sets that may be studied, each question's route, top entry and answerability features. */
import { fileURLToPath } from 'node:url';
import { prepareQuestion } from '../src/answer.js';
import { loadKnowledge } from '../src/knowledge/index.js';
import { loadQuestionSet, splitSet } from '../src/quality/eval.js';
import { Retriever } from '../src/retrieval/index.js';

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const knowledge = await loadKnowledge(root('knowledge'));
const retriever = new Retriever(knowledge);
const which = process.argv[2] ?? 'dev';
const set =
  which === 'suite'
    ? await loadQuestionSet(root('test/quality/questions.yaml'))
    : splitSet(await loadQuestionSet(root('test/quality/blind.yaml')), 'dev');
const items = [
  ...set.inScope.map((q) => ({ q: q.q, expect: q.expect })),
  ...set.outOfScope.map((q) => ({ q: q.q, expect: [] as string[] })),
];
for (const { q, expect } of items) {
  const p = prepareQuestion(knowledge, q);
  if (p.kind !== 'search') {
    console.log(`${expect.length ? 'IN ' : 'OUT'} ${p.kind.padEnd(8)} ${q.slice(0, 90)}`);
    continue;
  }
  const r = retriever.search(p.question);
  const top = r.top?.entry.id ?? '-';
  const ok = expect.includes(top) ? 'OK ' : expect.length ? 'BAD' : '   ';
  const f = r.features;
  console.log(
    `${expect.length ? 'IN ' : 'OUT'} ${ok} p=${r.confidence.toFixed(2)} cov=${f?.coverage.toFixed(2)} ex=${f?.exampleCoverage.toFixed(2)} kn=${f?.knownShare.toFixed(2)} m=${f?.margin.toFixed(2)} ${top.padEnd(30).slice(0, 30)} | ${p.question.slice(0, 80)}${expect.length && !expect.includes(top) ? ` [want ${expect[0]}]` : ''}`,
  );
}
