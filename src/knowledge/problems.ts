import { isScalar, parseDocument, visit } from 'yaml';
import { AdvisorError, ErrorCode } from '../errors.js';

/** Problems found in one file, each naming the entry and the field. */
export interface KnowledgeProblem {
  file: string;
  entry?: string;
  field?: string;
  message: string;
}

/** Formats a problem as `file (entry "id"), field: message`. */
export function formatProblem(p: KnowledgeProblem): string {
  const where = [p.file, p.entry ? `entry "${p.entry}"` : undefined].filter(Boolean).join(', ');
  return `${where}${p.field ? `, field "${p.field}"` : ''}: ${p.message}`;
}

/**
 * Parses YAML (front matter, the register). Numbers written with a leading zero (a phone prefix such as
 * 0800) keep their digits as text, because a curator never means the number 800.
 */
export function parseYamlText(text: string): unknown {
  const doc = parseDocument(text, { schema: 'core', prettyErrors: true });
  if (doc.errors.length) throw doc.errors[0];
  visit(doc, {
    Scalar(_key, node) {
      if (
        isScalar(node) &&
        typeof node.value === 'number' &&
        typeof node.source === 'string' &&
        /^0\d/.test(node.source)
      ) {
        node.value = node.source;
      }
    },
  });
  return doc.toJS();
}

/** One error listing every problem (up to 20), each naming file, entry and field. */
export function knowledgeError(problems: KnowledgeProblem[]): AdvisorError {
  const lines = problems.slice(0, 20).map((p) => `  - ${formatProblem(p)}`);
  if (problems.length > 20) lines.push(`  - ...and ${problems.length - 20} more`);
  const err = new AdvisorError(
    ErrorCode.KnowledgeInvalid,
    `The knowledge file has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${lines.join('\n')}`,
  );
  (err as AdvisorError & { problems: KnowledgeProblem[] }).problems = problems;
  return err;
}
