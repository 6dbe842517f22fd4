import MiniSearch, { type SearchResult } from 'minisearch';
import type { Entry, Knowledge } from '../knowledge/index.js';
import { analyse, terms } from './normalise.js';

/** Tuning for the confidence rule. */
export interface ConfidenceRule {
  /** Share of the question's weighted concepts the top entry must match (0-1), for short questions. */
  minCoverage: number;
  /** Long questions ramble: each concept beyond four lowers the bar by this much... */
  coverageStep: number;
  /** ...down to this floor. */
  minCoverageFloor: number;
  /** Lowest raw search score for an answer. */
  minScore: number;
  /** A related entry must score at least this share of the top entry's score. */
  relatedShare: number;
  /** How many related entries to offer. */
  maxRelated: number;
}

/** Defaults tuned on the shipped knowledge and the question set in test/fixtures. */
export const DEFAULT_RULE: ConfidenceRule = {
  minCoverage: 0.6,
  coverageStep: 0.025,
  minCoverageFloor: 0.4,
  minScore: 4,
  relatedShare: 0.3,
  maxRelated: 3,
};

/** A ranked entry. */
export interface Hit {
  entry: Entry;
  score: number;
  /** Weighted share of the question's terms this entry matched (0-1). */
  coverage: number;
}

/** The retriever's decision on one question. */
export interface Retrieval {
  /** True when the top entry is a confident answer. */
  answered: boolean;
  /** The question's index terms, after normalisation. */
  queryTerms: string[];
  top?: Hit;
  related: Hit[];
  /** Every ranked hit (up to eight), best first, for evaluation. */
  hits: Hit[];
}

const FIELDS = ['title', 'questions', 'keywords', 'answer'] as const;

/** Share of a concept's weight earned by a fuzzy or prefix match rather than an exact one. */
const APPROX_CREDIT = 0.75;

interface Doc {
  id: string;
  title: string;
  questions: string;
  keywords: string;
  answer: string;
}

/**
 * Full-text retrieval over guidance entries with MiniSearch: field boosts, prefix and
 * fuzzy matching, and a coverage-based confidence rule that prefers an honest refusal
 * to a weak match.
 */
export class Retriever {
  private readonly index: MiniSearch<Doc>;
  private readonly docFreq = new Map<string, number>();
  private readonly maxIdf: number;
  private readonly size: number;

  /** Place names (from the sister-city register) set the scene; they are not what a question is about. */
  private readonly places: Set<string>;

  constructor(
    private readonly knowledge: Knowledge,
    private readonly rule: ConfidenceRule = DEFAULT_RULE,
  ) {
    const register = knowledge.register;
    this.places = new Set(
      (register?.councils ?? [])
        .flatMap((c) => [
          c.place,
          ...c.aliases,
          ...c.relationships.flatMap((r) => [r.city, r.country]),
        ])
        .concat(['New Zealand', 'NZ', 'Aotearoa'])
        .flatMap((name) => terms(name)),
    );
    this.index = new MiniSearch<Doc>({
      fields: [...FIELDS],
      tokenize: terms,
      // Terms are already normalised by `terms`, for documents and queries alike.
      processTerm: (t) => t,
      searchOptions: {
        boost: { title: 3, questions: 3, keywords: 2, answer: 1 },
        prefix: (t) => t.length >= 5,
        // Absolute edit distances: one typo in a mid-length word, two in a long one.
        // (Two edits in a 7-letter word let "weather" match "rather".)
        fuzzy: (t) => (t.length >= 8 ? 2 : t.length >= 5 ? 1 : false),
        maxFuzzy: 2,
        combineWith: 'OR',
      },
    });
    const docs = knowledge.entries.map(toDoc);
    this.index.addAll(docs);
    for (const d of docs) {
      const seen = new Set(FIELDS.flatMap((f) => terms(d[f])));
      for (const t of seen) this.docFreq.set(t, (this.docFreq.get(t) ?? 0) + 1);
    }
    this.size = docs.length;
    this.maxIdf = this.idf(1);
  }

  private idf(df: number): number {
    return Math.log(1 + this.size / df);
  }

  /** Weight of a query term: rare terms matter more; unknown terms weigh the most. */
  private weight(term: string): number {
    const df = this.docFreq.get(term);
    return df ? this.idf(df) : this.maxIdf;
  }

  /**
   * Weighted share of the question's concepts that `result` matched. A concept matches
   * through any of its terms; a fuzzy or prefix match earns part of the credit.
   */
  private coverage(groups: string[][], result: SearchResult): number {
    const approx = new Set(result.queryTerms);
    const exact = new Set(result.terms);
    let total = 0;
    let hit = 0;
    const topical = groups.filter((g) => !g.every((t) => this.places.has(t)));
    for (const group of topical.length ? topical : groups) {
      // The canonical term (last) carries the concept's weight; a synonym adds no extra weight.
      const w = this.weight(group[group.length - 1] ?? '');
      total += w;
      if (group.some((t) => exact.has(t))) hit += w;
      else if (group.some((t) => approx.has(t))) hit += w * APPROX_CREDIT;
    }
    return total === 0 ? 0 : hit / total;
  }

  /** Ranks entries for a question and decides whether the top one is a confident answer. */
  search(question: string): Retrieval {
    const groups = dedupeGroups(analyse(question));
    const queryTerms = [...new Set(groups.flat())];
    if (queryTerms.length === 0) return { answered: false, queryTerms, related: [], hits: [] };
    const results = this.index.search(queryTerms.join(' '));
    const hits: Hit[] = [];
    for (const r of results.slice(0, 8)) {
      const entry = this.knowledge.byId.get(String(r.id));
      if (entry) hits.push({ entry, score: r.score, coverage: this.coverage(groups, r) });
    }
    const top = hits[0];
    if (!top) return { answered: false, queryTerms, related: [], hits };
    const answered =
      top.coverage >= this.requiredCoverage(groups.length) && top.score >= this.rule.minScore;
    return { answered, queryTerms, top, related: this.related(top, hits.slice(1)), hits };
  }

  /** The coverage a question of `concepts` concepts needs: long questions carry more filler. */
  requiredCoverage(concepts: number): number {
    const { minCoverage, coverageStep, minCoverageFloor } = this.rule;
    return Math.max(minCoverageFloor, minCoverage - Math.max(0, concepts - 4) * coverageStep);
  }

  private related(top: Hit, rest: Hit[]): Hit[] {
    const picked = rest.filter(
      (h) =>
        h.score >= top.score * this.rule.relatedShare && h.coverage >= this.rule.minCoverage / 2,
    );
    for (const id of top.entry.related) {
      const entry = this.knowledge.byId.get(id);
      if (entry && !picked.some((h) => h.entry.id === id))
        picked.push({ entry, score: 0, coverage: 0 });
    }
    return picked.slice(0, this.rule.maxRelated);
  }
}

/** Drops repeated concepts, so "phone and laptop" counts the device concept once. */
function dedupeGroups(groups: string[][]): string[][] {
  const seen = new Set<string>();
  return groups.filter((g) => {
    const key = g[g.length - 1] ?? '';
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toDoc(e: Entry): Doc {
  return {
    id: e.id,
    title: e.title,
    questions: e.questions.join('\n'),
    keywords: e.keywords.join(' '),
    answer: e.answer,
  };
}
