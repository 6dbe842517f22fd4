import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { foldText } from '../retrieval/normalise.js';
import { type KnowledgeProblem, knowledgeError, parseYamlText } from './problems.js';
import { isoDay, SourceSchema } from './schema.js';

const RelationshipSchema = z.strictObject({
  city: z.string().min(2),
  country: z.string().min(2),
  since: z.number().int().min(1900).max(2100).optional(),
  status: z.enum(['active', 'dormant', 'under review', 'paused', 'ended']).optional(),
  note: z.string().min(3).optional(),
});

const CouncilSchema = z.strictObject({
  council: z.string().min(3),
  place: z.string().min(2),
  aliases: z.array(z.string().min(2)).default([]),
  review: z.string().min(5).optional(),
  sources: z.array(SourceSchema).default([]),
  relationships: z.array(RelationshipSchema).min(1, 'needs at least one relationship'),
});

/** The sister-city register file, `knowledge/sister-cities.yaml`. */
export const RegisterSchema = z
  .strictObject({
    reviewed: isoDay,
    reviewBy: isoDay,
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

/** The id a register answer carries, e.g. `register:hamilton`. */
export function registerId(council: RegisterCouncil): string {
  return `register:${foldText(council.place).replace(/\s+/g, '-')}`;
}

export const REGISTER_FILE = 'sister-cities.yaml';

/** Loads the register if the file exists; a broken file stops start-up naming the council and field. */
export async function loadRegister(dir: string): Promise<Register | undefined> {
  const file = REGISTER_FILE;
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let data: unknown;
  try {
    data = parseYamlText(text);
  } catch (err) {
    throw knowledgeError([
      { file, message: `not valid YAML: ${(err as Error).message.split('\n')[0]}` },
    ]);
  }
  const parsed = RegisterSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const councils = (data as { councils?: { place?: string }[] } | null)?.councils;
  const problems: KnowledgeProblem[] = parsed.error.issues.map((issue) => {
    const [first, index, ...rest] = issue.path;
    const place =
      first === 'councils' && typeof index === 'number' ? councils?.[index]?.place : undefined;
    return {
      file,
      entry: place ? `council ${place}` : undefined,
      field: (place ? rest : issue.path).join('.') || undefined,
      message: issue.message,
    };
  });
  throw knowledgeError(problems);
}

/** Finds the councils a question names, by place, alias or council name (macrons and case folded). */
export function findCouncils(register: Register | undefined, text: string): RegisterCouncil[] {
  if (!register) return [];
  const folded = ` ${foldText(text)} `;
  return register.councils.filter((c) =>
    [c.place, ...c.aliases].some((name) => {
      const n = foldText(name);
      // "hamiltons" (a possessive without the apostrophe) names Hamilton too.
      return folded.includes(` ${n} `) || folded.includes(` ${n}s `);
    }),
  );
}

/** Finds register relationships whose foreign city the question names. */
export function findPartnerCities(
  register: Register | undefined,
  text: string,
): { council: RegisterCouncil; rel: Relationship }[] {
  if (!register) return [];
  const folded = ` ${foldText(text)} `;
  return register.councils.flatMap((council) =>
    council.relationships
      .filter((rel) => folded.includes(` ${foldText(rel.city)} `))
      .map((rel) => ({ council, rel })),
  );
}
