import { z } from 'zod';
import { foldText } from '../retrieval/normalise.js';
import { knowledgeError, listProblems, readOptionalChecked } from './problems.js';
import { isoDay, SourceSchema } from './schema.js';

/** What kind of tie a relationship is, in the words councils use. */
export const TIE_KINDS = [
  'sister city',
  'sister province',
  'friendship city',
  'partner city',
  'twin city',
  'twin town',
  'sister port',
  'alliance',
  'international relationship',
] as const;

/** Where a tie stands. `historical` is a council's own label for a ceremonial, older tie. */
export const TIE_STATUSES = [
  'active',
  'dormant',
  'under review',
  'paused',
  'ended',
  'historical',
] as const;

/** One sourced statement: review practice, advice a council takes, a note, or a disagreement. */
const FactSchema = z.strictObject({
  text: z.string().min(10),
  sources: z.array(SourceSchema).min(1, 'needs at least one source'),
});

const Year = z.number().int().min(1900).max(2100);

const RelationshipSchema = z
  .strictObject({
    city: z.string().min(2),
    /** Other spellings of the city ("Chania" for Hania). */
    aliases: z.array(z.string().min(2)).default([]),
    /** State, province or prefecture, when a source gives it. */
    region: z.string().min(2).optional(),
    country: z.string().min(2),
    kind: z.enum(TIE_KINDS).default('sister city'),
    /** A year, or every year the sources give when they differ (then `disputed` says who says what). */
    since: z
      .union([Year, z.array(Year).min(2)], {
        error: 'must be a year, or a list of two or more years when sources differ',
      })
      .optional(),
    /** True when the year is worked out from an anniversary ("40 years in 2026"). */
    approximate: z.boolean().default(false),
    status: z.enum(TIE_STATUSES).optional(),
    note: z.string().min(3).optional(),
    sources: z.array(SourceSchema).default([]),
    /** Where sources disagree (a year, a status, a kind): what each says, citing both sides. */
    disputed: FactSchema.extend({
      sources: z.array(SourceSchema).min(2, 'cite both sides: at least two sources'),
    }).optional(),
  })
  .superRefine((r, ctx) => {
    if (Array.isArray(r.since) && !r.disputed)
      ctx.addIssue({
        code: 'custom',
        path: ['disputed'],
        message: 'is needed when since lists several years: say which source gives which',
      });
    if (Array.isArray(r.since) && new Set(r.since).size !== r.since.length)
      ctx.addIssue({ code: 'custom', path: ['since'], message: 'lists the same year twice' });
  });

const CouncilSchema = z
  .strictObject({
    council: z.string().min(3),
    place: z.string().min(2),
    aliases: z.array(z.string().min(2)).default([]),
    /** Sources for the list of relationships as a whole. */
    sources: z.array(SourceSchema).default([]),
    relationships: z.array(RelationshipSchema).min(1, 'needs at least one relationship'),
    /** How the council reviews, funds and runs its ties, and reviews it has held. */
    practice: z.array(FactSchema).default([]),
    /** Advice the council takes, such as checks with MFAT or briefings from NZSIS. */
    advice: z.array(FactSchema).default([]),
    notes: z.array(FactSchema).default([]),
  })
  .refine((c) => c.sources.length > 0 || c.relationships.every((r) => r.sources.length > 0), {
    path: ['sources'],
    message: 'needs at least one source, here or on every relationship',
  });

/** The sister-city register file, `knowledge/sister-cities.yaml`. */
export const RegisterSchema = z
  .strictObject({
    reviewed: isoDay,
    reviewBy: isoDay,
    /** Shown with every register answer. */
    sources: z.array(SourceSchema).min(1, 'needs at least one source'),
    councils: z.array(CouncilSchema).min(1),
  })
  .refine((r) => r.reviewBy > r.reviewed, {
    message: 'must be later than reviewed',
    path: ['reviewBy'],
  });

export type Register = z.infer<typeof RegisterSchema>;
export type RegisterCouncil = Register['councils'][number];
export type Relationship = RegisterCouncil['relationships'][number];
export type RegisterFact = RegisterCouncil['practice'][number];

/** A place name as an id part: "Queenstown-Lakes" becomes `queenstown-lakes`. */
export function placeSlug(place: string): string {
  return foldText(place).replace(/\s+/g, '-');
}

/** The id a register answer carries, e.g. `register:hamilton`. */
export function registerId(council: RegisterCouncil): string {
  return `register:${placeSlug(council.place)}`;
}

export const REGISTER_FILE = 'sister-cities.yaml';

/** Loads the register if the file exists; a broken file stops start-up naming the council and field. */
export async function loadRegister(dir: string): Promise<Register | undefined> {
  const parsed = await readOptionalChecked(dir, REGISTER_FILE, RegisterSchema, import.meta.url);
  if (parsed === undefined) return undefined;
  if (!parsed.success)
    throw knowledgeError(
      listProblems(REGISTER_FILE, parsed.data, parsed.error.issues, 'councils', (c) =>
        typeof c.place === 'string' ? `council ${c.place}` : undefined,
      ),
    );
  const seen = new Set<string>();
  const duplicates = parsed.data.councils.filter((c) => {
    const id = registerId(c);
    if (seen.has(id)) return true;
    seen.add(id);
    return false;
  });
  if (duplicates.length)
    throw knowledgeError(
      duplicates.map((c) => ({
        file: REGISTER_FILE,
        entry: `council ${c.place}`,
        field: 'place',
        message: 'is listed twice: merge the two entries',
      })),
    );
  return parsed.data;
}
