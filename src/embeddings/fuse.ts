/** One fused result: an id and its reciprocal-rank-fusion score. */
export interface Fused {
  id: string;
  score: number;
}

/**
 * Reciprocal rank fusion: each list adds 1 / (k + rank) to every id it ranks (rank 1 is first),
 * so ids that several rankers place high come first, whatever the rankers' score scales. A larger
 * `k` flattens the advantage of the very top ranks; 60 is the value from Cormack et al. (2009).
 * Ties go to the id with the better single rank, then alphabetical order, so the result is stable.
 * An id repeated within one list counts at its first rank only.
 */
export function fuseRankings(lists: readonly (readonly string[])[], k = 60): Fused[] {
  if (!(k >= 0)) throw new RangeError('k must be a non-negative number');
  const scores = new Map<string, { score: number; best: number }>();
  for (const list of lists) {
    const seen = new Set<string>();
    list.forEach((id, i) => {
      if (seen.has(id)) return;
      seen.add(id);
      const rank = i + 1;
      const s = scores.get(id) ?? { score: 0, best: Number.POSITIVE_INFINITY };
      s.score += 1 / (k + rank);
      s.best = Math.min(s.best, rank);
      scores.set(id, s);
    });
  }
  return [...scores]
    .sort(([a, x], [b, y]) => y.score - x.score || x.best - y.best || (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, s]) => ({ id, score: s.score }));
}
