import { z } from 'zod';
import { DECLINE_KINDS } from '../retrieval/scope.js';
import { knowledgeError, readOptionalChecked } from './problems.js';

export const DECLINES_FILE = 'out-of-scope.yaml';

/**
 * The kinds a curated example may have: the kinds the advisor declines by rule, and two it
 * declines only by not finding an answer: questions in the domain that the guidance does not cover
 * (`uncovered`) and ones with nothing to do with it (`unrelated`).
 */
export const DECLINE_EXAMPLE_KINDS = [...DECLINE_KINDS, 'uncovered', 'unrelated'] as const;
export type DeclineExampleKind = (typeof DECLINE_EXAMPLE_KINDS)[number];

/** Examples of questions the advisor declines, by kind, `knowledge/out-of-scope.yaml`. */
export const DeclinesSchema = z.strictObject({
  examples: z
    .array(
      z.strictObject({
        q: z.string().trim().min(3, 'must be a question of 3 characters or more'),
        kind: z.enum(DECLINE_EXAMPLE_KINDS),
      }),
    )
    .min(1, 'needs at least one example'),
});

/**
 * Loads the examples of declined questions, which teach the answerability model what the remit is
 * not. The file is optional; a broken one stops start-up naming the example and field.
 */
export async function loadDeclines(dir: string): Promise<Declines> {
  const parsed = await readOptionalChecked(dir, DECLINES_FILE, DeclinesSchema, import.meta.url);
  if (parsed === undefined) return { declines: [], declineKinds: new Map(), uncovered: [] };
  if (!parsed.success)
    throw knowledgeError(
      parsed.error.issues.map((issue) => ({
        file: DECLINES_FILE,
        entry: typeof issue.path[1] === 'number' ? `example ${issue.path[1] + 1}` : undefined,
        field: issue.path.slice(2).join('.') || undefined,
        message: issue.message,
      })),
    );
  const examples = parsed.data.examples;
  const declined = examples.filter((e) => e.kind !== 'uncovered');
  return {
    declines: declined.map((e) => e.q),
    declineKinds: new Map(declined.map((e) => [e.q, e.kind])),
    uncovered: examples.filter((e) => e.kind === 'uncovered').map((e) => e.q),
  };
}

/** The curated examples, split by what they teach. */
export interface Declines {
  /** Questions declined by kind (tasks, opinions, off-topic): they teach the remit model. */
  declines: string[];
  /** Each curated decline's kind, by its text as written. */
  declineKinds: Map<string, DeclineExampleKind>;
  /**
   * Questions in the domain that the guidance does not answer, although their words match it:
   * the retriever compares each question with its closest one (`Features.uncovered`).
   */
  uncovered: string[];
}
