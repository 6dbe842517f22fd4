import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  type Checked,
  checkYamlText,
  type KnowledgeProblem,
  knowledgeError,
} from '../knowledge/problems.js';

const slug = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens');

/** A condition on earlier answers. A multiple-choice answer "equals" a value when it includes it. */
export type Condition =
  | { step: string; equals: string }
  | { step: string; in: string[] }
  | { step: string; notIn: string[] }
  | { step: string; answered: boolean }
  | { all: Condition[] }
  | { any: Condition[] };

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ step: slug, equals: z.string() }),
    z.strictObject({ step: slug, in: z.array(z.string()).min(1) }),
    z.strictObject({ step: slug, notIn: z.array(z.string()).min(1) }),
    z.strictObject({ step: slug, answered: z.boolean() }),
    z.strictObject({ all: z.array(ConditionSchema).min(1) }),
    z.strictObject({ any: z.array(ConditionSchema).min(1) }),
  ]),
);

const OptionSchema = z.strictObject({ value: slug, label: z.string().min(1).max(75) });

const base = {
  id: slug,
  question: z.string().min(5).max(300),
  /** Short help in the markdown subset, shown under the question. */
  help: z.string().max(600).optional(),
  /** Guidance entries the help refers to; each becomes a button. */
  guidance: z.array(slug).default([]),
  /** Shown in the summary instead of the question. */
  label: z.string().min(2).max(60),
  /** Whether the user may skip the step. */
  optional: z.boolean().default(false),
  /** Only asked when this holds. */
  when: ConditionSchema.optional(),
};

/** One step of the checklist. */
export const StepSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...base, type: z.literal('yesno') }),
  z.strictObject({
    ...base,
    type: z.literal('single'),
    options: z.array(OptionSchema).min(2).max(12),
  }),
  z.strictObject({
    ...base,
    type: z.literal('multi'),
    options: z.array(OptionSchema).min(2).max(12),
  }),
  z.strictObject({
    ...base,
    type: z.literal('date'),
    /** The date must not be before today (NZ time). */
    notPast: z.boolean().default(false),
    /** The date must be on or after this earlier date step's answer. */
    notBefore: slug.optional(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('text'),
    minLength: z.number().int().min(1).default(2),
    maxLength: z.number().int().max(1000).default(500),
    /** Something the answer must contain; without it the step is asked again. */
    mustInclude: z.enum(['phone-number']).optional(),
  }),
  z.strictObject({ ...base, type: z.literal('destination') }),
]);
export type Step = z.infer<typeof StepSchema>;

export const Severity = z.enum(['high', 'warning', 'info']);
export type Severity = z.infer<typeof Severity>;

/** A rule that turns answers into a flag. */
export const FlagRuleSchema = z.strictObject({
  id: slug,
  when: ConditionSchema,
  severity: Severity,
  /** Short name of the risk, shown in bold. */
  title: z.string().min(3).max(80),
  /** Plain advice in the markdown subset. */
  advice: z.string().min(10).max(600),
  /** The guidance entry behind the advice. */
  guidance: slug.optional(),
});
export type FlagRule = z.infer<typeof FlagRuleSchema>;

/** A checklist file: the pre-trip checklist and the post-trip debrief share this shape. */
export const ChecklistSchema = z.strictObject({
  id: slug,
  title: z.string().min(3).max(80),
  /** Shown when a run starts. */
  intro: z.string().min(10).max(600),
  steps: z.array(StepSchema).min(1),
  flags: z.array(FlagRuleSchema).default([]),
  /** `on-risk`: escalate on a high flag or enough warnings. `always`: every finished run (a report). */
  escalate: z.enum(['on-risk', 'always']).default('on-risk'),
  /** Prefix of the record ids, e.g. TR for TR-2026-0001. */
  recordPrefix: z
    .string()
    .regex(/^[A-Z]{2,3}$/, 'must be two or three capital letters')
    .default('TR'),
  /** Where the case says it came from. */
  source: z.enum(['pretrip', 'debrief', 'report']).default('pretrip'),
});
export type Checklist = z.infer<typeof ChecklistSchema>;

/** Where the checklist schemas are defined: their checked files are cached by this code too. */
const SCHEMA_MODULE = import.meta.url;

/** The steps a condition looks at. */
export function conditionSteps(c: Condition): string[] {
  if ('all' in c) return c.all.flatMap(conditionSteps);
  if ('any' in c) return c.any.flatMap(conditionSteps);
  return [c.step];
}

function conditionValues(c: Condition): { step: string; values: string[] }[] {
  if ('all' in c) return c.all.flatMap(conditionValues);
  if ('any' in c) return c.any.flatMap(conditionValues);
  if ('equals' in c) return [{ step: c.step, values: [c.equals] }];
  if ('in' in c) return [{ step: c.step, values: c.in }];
  if ('notIn' in c) return [{ step: c.step, values: c.notIn }];
  return [];
}

/** Values a step's answer can take, for checking conditions; undefined for free-form answers. */
function allowedValues(step: Step): string[] | undefined {
  if (step.type === 'yesno') return ['yes', 'no'];
  if (step.type === 'single' || step.type === 'multi') return step.options.map((o) => o.value);
  return undefined;
}

/** Checks references inside a checklist: ids, conditions on earlier steps, option values, guidance ids. */
export function checkChecklist(
  file: string,
  c: Checklist,
  guidanceIds: Set<string>,
): KnowledgeProblem[] {
  const problems: KnowledgeProblem[] = [];
  const seen = new Map<string, Step>();
  const problem = (entry: string, field: string, message: string) =>
    problems.push({ file, entry, field, message });
  const checkCondition = (entry: string, field: string, cond: Condition, earlierOnly: boolean) => {
    for (const id of conditionSteps(cond)) {
      if (!seen.has(id))
        problem(
          entry,
          field,
          earlierOnly
            ? `refers to step "${id}", which is not an earlier step`
            : `refers to unknown step "${id}"`,
        );
    }
    for (const { step, values } of conditionValues(cond)) {
      const allowed = seen.get(step) && allowedValues(seen.get(step) as Step);
      for (const v of values)
        if (allowed && !allowed.includes(v))
          problem(
            entry,
            field,
            `step "${step}" has no option "${v}" (options: ${allowed.join(', ')})`,
          );
    }
  };
  for (const [i, step] of c.steps.entries()) {
    const entry = `step ${step.id}`;
    if (seen.has(step.id)) problem(entry, `steps.${i}.id`, 'duplicate step id');
    if (step.when) checkCondition(entry, `steps.${i}.when`, step.when, true);
    if (step.type === 'date' && step.notBefore && seen.get(step.notBefore)?.type !== 'date') {
      problem(
        entry,
        `steps.${i}.notBefore`,
        `must name an earlier date step, not "${step.notBefore}"`,
      );
    }
    if (
      (step.type === 'single' || step.type === 'multi') &&
      new Set(step.options.map((o) => o.value)).size !== step.options.length
    ) {
      problem(entry, `steps.${i}.options`, 'option values must be unique');
    }
    for (const g of step.guidance)
      if (!guidanceIds.has(g))
        problem(entry, `steps.${i}.guidance`, `refers to unknown guidance entry "${g}"`);
    seen.set(step.id, step);
  }
  const flagIds = new Set<string>();
  for (const [i, flag] of c.flags.entries()) {
    const entry = `flag ${flag.id}`;
    if (flagIds.has(flag.id)) problem(entry, `flags.${i}.id`, 'duplicate flag id');
    flagIds.add(flag.id);
    checkCondition(entry, `flags.${i}.when`, flag.when, false);
    if (flag.guidance && !guidanceIds.has(flag.guidance))
      problem(entry, `flags.${i}.guidance`, `refers to unknown guidance entry "${flag.guidance}"`);
  }
  return problems;
}

/** Loads and validates one checklist file from the knowledge folder. */
export async function loadChecklist(
  dir: string,
  file: string,
  guidanceIds: Set<string>,
): Promise<Checklist> {
  // An unchanged file that passed these checks before is not checked again (see checkYamlText).
  let parsed: Checked<Checklist>;
  try {
    // Read at start-up, so synchronously (see readKnowledge).
    parsed = checkYamlText(readFileSync(join(dir, file), 'utf8'), ChecklistSchema, SCHEMA_MODULE);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw knowledgeError([
      {
        file,
        message:
          code === 'ENOENT'
            ? 'the file is missing'
            : `not valid YAML: ${(err as Error).message.split('\n')[0]}`,
      },
    ]);
  }
  if (!parsed.success) {
    const raw = parsed.data as { steps?: { id?: string }[]; flags?: { id?: string }[] } | null;
    throw knowledgeError(
      parsed.error.issues.map((issue) => {
        const [list, index] = issue.path;
        const item =
          typeof index === 'number' && (list === 'steps' || list === 'flags')
            ? raw?.[list]?.[index]?.id
            : undefined;
        return {
          file,
          entry: item ? `${list === 'steps' ? 'step' : 'flag'} ${item}` : undefined,
          field: issue.path.join('.') || undefined,
          message: issue.message,
        };
      }),
    );
  }
  const problems = checkChecklist(file, parsed.data, guidanceIds);
  if (problems.length) throw knowledgeError(problems);
  return parsed.data;
}
