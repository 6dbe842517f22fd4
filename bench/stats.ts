/** The p-th percentile of an ascending list (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Milliseconds with sensible precision: 1.23, 12.3, 123. */
export const ms = (n: number) => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));

/** Load settings shared by the Slack and Teams benchmarks (override with BENCH_REQUESTS, BENCH_CONCURRENCY). */
export const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 500);
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
export const WARMUP = 50;

/** Questions the load benchmarks ask, in turn. */
export const LOAD_QUESTIONS = [
  'What counts as foreign interference?',
  'Can I take my council laptop overseas?',
  'Can I accept a gift from a delegation?',
  'How do I report a concern?',
  'What is SafeTravel?',
];
