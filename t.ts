import { loadKnowledge } from './src/knowledge/index.js';
import { Retriever, stripNoise } from './src/retrieval/index.js';
import { answerText } from './src/answer.js';
const dir = process.argv[2];
const k = await loadKnowledge(dir);
const r = new Retriever(k);
for (const q of process.argv.slice(3)) {
  const x = r.search(stripNoise(q));
  const a = answerText(k, r, q, '2026-11-30');
  console.log(q, '=>', a.reply.kind, a.reply.entryId, x.confidence.toFixed(2), x.hits.slice(0,3).map(h=>`${h.entry.id}:${h.score.toFixed(2)}`).join(' '));
}
