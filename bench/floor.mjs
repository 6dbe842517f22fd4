/**
 * The least a bot can do, as a baseline for bench/runtime.bench.ts (started through npm like the
 * real one, so npm's own start-up counts in both):
 *   node bench/floor.mjs server   GET /healthz, and POST /api/chat answering a fixed reply of the
 *                                 real reply's size after reading the body; PORT and HOST as usual
 *   node bench/floor.mjs cli      one fixed JSON line out for each line in
 * Plain JavaScript with no dependencies: nothing to load but Node itself.
 */
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';

const REPLY = JSON.stringify({
  replies: [{ kind: 'answer', answered: true, entryId: 'floor', text: 'x'.repeat(5500) }],
});

if (process.argv[2] === 'cli') {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim()) process.stdout.write(`${REPLY}\n`);
} else {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = req.url === '/api/chat' ? REPLY : '{"ok":true}';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  server.listen(port, host, () =>
    process.stdout.write(`Floor server at http://${host}:${port}/\n`),
  );
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
