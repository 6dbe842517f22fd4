import { findPhones } from '../llm/redact.js';
import { foldText } from '../retrieval/normalise.js';
import { parseDate } from './dates.js';
import {
  type Checklist,
  type Condition,
  conditionSteps,
  type FlagRule,
  type Severity,
  type Step,
} from './definition.js';

/** Where a trip goes (or a delegation comes from), with its sister-city link if any. */
export interface Destination {
  city: string;
  country: string;
  /** The NZ place whose sister city this is, from the register. */
  sisterOf?: string;
}

/** A stored answer; `null` means the user skipped the step. */
export type AnswerValue = string | string[] | Destination | null;
export type Answers = Record<string, AnswerValue>;

/** A flag raised by the answers. */
export interface FlagHit {
  id: string;
  severity: Severity;
  title: string;
  advice: string;
  guidance?: string;
}

const SEVERITY_ORDER: Severity[] = ['high', 'warning', 'info'];

function matches(answer: AnswerValue | undefined, value: string): boolean {
  if (answer === undefined || answer === null) return false;
  if (Array.isArray(answer)) return answer.includes(value);
  return typeof answer === 'string' && answer === value;
}

/** Evaluates a condition against the answers so far. Unanswered steps match nothing. */
export function holds(cond: Condition, answers: Answers): boolean {
  if ('all' in cond) return cond.all.every((c) => holds(c, answers));
  if ('any' in cond) return cond.any.some((c) => holds(c, answers));
  const a = answers[cond.step];
  if ('equals' in cond) return matches(a, cond.equals);
  if ('in' in cond) return cond.in.some((v) => matches(a, v));
  if ('notIn' in cond)
    return a !== undefined && a !== null && !cond.notIn.some((v) => matches(a, v));
  return (a !== undefined && a !== null) === cond.answered;
}

/** The steps that apply given the answers so far, in order. */
export function visibleSteps(checklist: Checklist, answers: Answers): Step[] {
  return checklist.steps.filter((s) => !s.when || holds(s.when, answers));
}

/** The first step that applies and has no answer yet; undefined when the run is complete. */
export function nextStep(checklist: Checklist, answers: Answers): Step | undefined {
  return visibleSteps(checklist, answers).find((s) => !(s.id in answers));
}

/** Where a step stands: "Step k of n", or "Step k of about n" while n can still change. */
export interface Progress {
  index: number;
  /** The most steps the run can still have, so the count never grows as answers come in. */
  total: number;
  /** False while later answers can still change the total. */
  exact: boolean;
}

/** Hypothetical answers an unanswered step could get, as far as conditions can tell apart. */
function possibleAnswers(step: Step): AnswerValue[] {
  const skipped = step.optional ? [null] : [];
  switch (step.type) {
    case 'yesno':
      return ['yes', 'no', ...skipped];
    case 'single':
      return [...step.options.map((o) => o.value), ...skipped];
    case 'multi':
      // Each option alone, and all of them: enough for the conditions a checklist uses.
      return [...step.options.map((o) => [o.value]), step.options.map((o) => o.value), ...skipped];
    default:
      return ['answered', ...skipped];
  }
}

/** Branches explored before the count settles for an estimate. */
const MAX_BRANCHES = 512;

/**
 * The fewest and most steps a run can have, given the answers so far: every answer a later
 * step that a condition depends on could get is tried, in order (conditions only look back).
 */
function stepRange(checklist: Checklist, answers: Answers): { min: number; max: number } {
  const referenced = new Set(
    checklist.steps.flatMap((s) => (s.when ? conditionSteps(s.when) : [])),
  );
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  let branches = 0;
  const walk = (from: number, known: Answers, count: number): void => {
    for (let i = from; i < checklist.steps.length; i++) {
      const step = checklist.steps[i] as Step;
      if (step.when && !holds(step.when, known)) continue;
      count++;
      if (step.id in known || !referenced.has(step.id)) continue;
      const options = possibleAnswers(step);
      branches += options.length;
      // Past the limit, one answer stands for all: the result is an estimate either way.
      for (const value of branches > MAX_BRANCHES ? options.slice(0, 1) : options)
        walk(i + 1, { ...known, [step.id]: value }, count);
      return;
    }
    min = Math.min(min, count);
    max = Math.max(max, count);
  };
  walk(0, answers, 0);
  return { min, max };
}

/**
 * "Step k of n" for a step, counting only the steps that apply. While a later answer can still
 * add or drop steps, n is the most the run can have and `exact` is false ("about n"), so the
 * count never jumps up when an answer picks a branch.
 */
export function progress(checklist: Checklist, answers: Answers, stepId: string): Progress {
  const steps = visibleSteps(checklist, answers);
  const { min, max } = stepRange(checklist, answers);
  return { index: steps.findIndex((s) => s.id === stepId) + 1, total: max, exact: min === max };
}

/** Only the answers to steps that still apply (a changed answer can hide later steps). */
export function effectiveAnswers(checklist: Checklist, answers: Answers): Answers {
  const out: Answers = {};
  for (const s of visibleSteps(checklist, answers))
    if (s.id in answers) out[s.id] = answers[s.id] ?? null;
  return out;
}

/** The flags the answers raise, most severe first. */
export function evaluateFlags(checklist: Checklist, answers: Answers): FlagHit[] {
  const effective = effectiveAnswers(checklist, answers);
  return checklist.flags
    .filter((f: FlagRule) => holds(f.when, effective))
    .map(({ id, severity, title, advice, guidance }) => ({ id, severity, title, advice, guidance }))
    .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
}

/** A readable form of an answer for the summary. */
export function displayAnswer(step: Step, value: AnswerValue): string {
  if (value === null) return 'Skipped';
  if (step.type === 'yesno') return value === 'yes' ? 'Yes' : 'No';
  if (step.type === 'single' || step.type === 'multi') {
    const values = Array.isArray(value) ? value : [String(value)];
    return values.map((v) => step.options.find((o) => o.value === v)?.label ?? v).join(', ');
  }
  if (step.type === 'destination' && typeof value === 'object' && !Array.isArray(value)) {
    return `${value.city}, ${value.country}${value.sisterOf ? ` (a sister city of ${value.sisterOf})` : ''}`;
  }
  if (step.type === 'date' && typeof value === 'string') {
    return new Date(`${value}T00:00:00Z`).toLocaleDateString('en-NZ', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
  }
  return String(value);
}

/** Context for checking an answer. */
export interface AnswerContext {
  /** Today in NZ, YYYY-MM-DD. */
  today: string;
  answers: Answers;
  /** Finds sister cities by name, from the register. */
  findSisterCity: (city: string) => Destination[];
}

/** The outcome of checking one answer: a value, or a plain explanation and what to offer. */
export type ParsedAnswer =
  | { ok: true; value: AnswerValue }
  | { ok: false; error: string; offers?: Destination[] };

const YES = new Set(['yes', 'y', 'yeah', 'yep', 'ae', 'yes please', 'true']);
const NO = new Set(['no', 'n', 'nope', 'kao', 'not yet', 'false']);

function pickOption(step: Extract<Step, { type: 'single' | 'multi' }>, raw: string) {
  const t = foldText(raw);
  const byIndex = /^\d+$/.test(t) ? step.options[Number(t) - 1] : undefined;
  return (
    byIndex ??
    step.options.find(
      (o) => o.value === raw.trim() || foldText(o.label) === t || foldText(o.value) === t,
    )
  );
}

/**
 * Checks and normalises an answer. `input` is typed text or a button value. Wrong answers
 * get an explanation that says how to answer instead.
 */
export function parseAnswer(step: Step, input: string, ctx: AnswerContext): ParsedAnswer {
  const raw = input.trim();
  switch (step.type) {
    case 'yesno': {
      const t = foldText(raw);
      if (YES.has(t)) return { ok: true, value: 'yes' };
      if (NO.has(t)) return { ok: true, value: 'no' };
      return { ok: false, error: 'Please answer yes or no.' };
    }
    case 'single': {
      const o = pickOption(step, raw);
      if (o) return { ok: true, value: o.value };
      return {
        ok: false,
        error: `Please choose one of: ${step.options.map((x) => x.label).join('; ')}.`,
      };
    }
    case 'multi': {
      const parts = raw.split(/\s*(?:,|;|\band\b|&)\s*/i).filter(Boolean);
      const picked = parts.map((p) => pickOption(step, p));
      if (!parts.length || picked.some((p) => !p)) {
        return {
          ok: false,
          error: `Please choose one or more of: ${step.options.map((x) => x.label).join('; ')}. Separate them with commas.`,
        };
      }
      const values = [...new Set(picked.map((p) => p?.value ?? ''))];
      if (values.includes('none') && values.length > 1) {
        return {
          ok: false,
          error: `"${step.options.find((o) => o.value === 'none')?.label}" can't be combined with other choices.`,
        };
      }
      return { ok: true, value: values };
    }
    case 'date': {
      const day = parseDate(raw, ctx.today);
      if (!day)
        return {
          ok: false,
          error: "I couldn't read that date. Try a form like 5/3/2027 or 5 March 2027.",
        };
      if (step.notPast && day < ctx.today)
        return { ok: false, error: 'That date is in the past. Please give a date from today on.' };
      const earlier = step.notBefore ? ctx.answers[step.notBefore] : undefined;
      if (typeof earlier === 'string' && day < earlier) {
        return {
          ok: false,
          error: `That's before the ${step.notBefore?.replace(/-/g, ' ')} you gave. Please give a date on or after it.`,
        };
      }
      return { ok: true, value: day };
    }
    case 'text': {
      if (raw.length < step.minLength)
        return {
          ok: false,
          error: `Please give a bit more detail (at least ${step.minLength} characters).`,
        };
      if (raw.length > step.maxLength)
        return { ok: false, error: `Please keep this under ${step.maxLength} characters.` };
      if (step.mustInclude === 'phone-number' && findPhones(raw).length === 0)
        return {
          ok: false,
          error:
            'Thanks. I couldn\'t see a phone number in that. Please add one, with the area or mobile code, for example "Jane Smith 021 555 0123".',
        };
      return { ok: true, value: raw };
    }
    case 'destination': {
      const [cityPart, ...rest] = raw.split(/\s*[,|]\s*/);
      const city = (cityPart ?? '').trim();
      const country = rest.join(', ').trim();
      if (city.length < 2)
        return {
          ok: false,
          error: 'Please give the city and the country, for example "Suqian, China".',
        };
      const known = ctx.findSisterCity(city);
      const sameCountry = known.filter(
        (d) => !country || foldText(d.country) === foldText(country),
      );
      // A register match supplies the spelling of both the city and the country.
      if (country.length >= 2) return { ok: true, value: sameCountry[0] ?? { city, country } };
      if (known.length === 1 && known[0]) return { ok: true, value: known[0] };
      return {
        ok: false,
        error: known.length
          ? 'Which one do you mean?'
          : `Which country is ${city} in? Please give the city and the country, for example "Suqian, China".`,
        offers: known,
      };
    }
  }
}
