import { z } from 'zod';
import { knowledgeError, listProblems, readOptionalChecked } from './problems.js';
import { SourceSchema } from './schema.js';

const NzCouncilSchema = z.strictObject({
  /** The council's own name, e.g. "Kaikōura District Council". */
  name: z.string().min(3),
  /** The place name staff use, e.g. "Kaikōura". */
  place: z.string().min(2),
  aliases: z.array(z.string().min(2)).default([]),
  /**
   * The regions a city or district council is in, by the `place` of their regional council, the
   * one its seat is in first. Regional councils and unitary authorities have none.
   */
  regions: z.array(z.string().min(2)).min(1).optional(),
  type: z.enum(['regional', 'city', 'district', 'unitary']),
});

/** The list of New Zealand's local authorities, `knowledge/nz-councils.yaml`. */
export const NzCouncilsSchema = z
  .strictObject({
    sources: z.array(SourceSchema).min(1, 'needs at least one source'),
    /** Where to look up a council the register has no entry for. */
    directory: SourceSchema,
    councils: z.array(NzCouncilSchema).min(1),
  })
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    const regional = new Set(
      list.councils.filter((c) => c.type === 'regional').map((c) => c.place),
    );
    list.councils.forEach((c, i) => {
      if (seen.has(c.name))
        ctx.addIssue({ code: 'custom', path: ['councils', i, 'name'], message: 'is listed twice' });
      seen.add(c.name);
      const at = ['councils', i, 'regions'];
      if (c.regions && (c.type === 'regional' || c.type === 'unitary'))
        ctx.addIssue({ code: 'custom', path: at, message: `a ${c.type} council has no regions` });
      for (const r of c.regions ?? [])
        if (!regional.has(r))
          ctx.addIssue({
            code: 'custom',
            path: at,
            message: `"${r}" is not the place of a regional council in this list`,
          });
    });
  });

export type NzCouncils = z.infer<typeof NzCouncilsSchema>;
export type NzCouncil = NzCouncils['councils'][number];

export const NZ_COUNCILS_FILE = 'nz-councils.yaml';

/** Loads the list of NZ councils if the file exists; a broken file stops start-up naming the council. */
export async function loadNzCouncils(dir: string): Promise<NzCouncils | undefined> {
  const parsed = await readOptionalChecked(
    dir,
    NZ_COUNCILS_FILE,
    NzCouncilsSchema,
    import.meta.url,
  );
  if (parsed === undefined) return undefined;
  if (parsed.success) return parsed.data;
  throw knowledgeError(
    listProblems(NZ_COUNCILS_FILE, parsed.data, parsed.error.issues, 'councils', (c) =>
      typeof c.name === 'string' ? `council ${c.name}` : undefined,
    ),
  );
}
