import { z } from 'zod';

/** This module, whose rules check an entry: `checkYamlText` keys what it keeps by its code. */
export const SCHEMA_MODULE = import.meta.url;

/** A calendar date written YYYY-MM-DD. */
export const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a real date');

/** A source date may be partial (2023, 2023-08) because many publishers give only a month. */
const sourceDate = z
  .string()
  .regex(/^(\d{4}(-\d{2}(-\d{2})?)?|undated)$/, 'must be YYYY, YYYY-MM, YYYY-MM-DD or "undated"');

const slug = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens');

/** One cited source. */
export const SourceSchema = z.strictObject({
  title: z.string().min(3),
  publisher: z.string().min(2),
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
  date: sourceDate,
  /** Overrides the automatic primary/secondary judgement made from the URL's host. */
  primary: z.boolean().optional(),
});

/** Who an entry is written for. */
export const Audience = z.enum(['staff', 'elected-members', 'security-contacts']);

/** The front matter of one guidance entry; the Markdown body becomes `answer`. */
export const EntryFrontMatterSchema = z
  .strictObject({
    id: slug,
    title: z.string().min(5).max(120),
    questions: z.array(z.string().min(5)).min(1, 'needs at least one example question'),
    // YAML reads a bare 0800 or 2025 as a number; a keyword is always text.
    keywords: z
      .array(z.union([z.string(), z.number()]).transform(String).pipe(z.string().min(2)))
      .default([]),
    tags: z.array(slug).min(1, 'needs at least one tag'),
    audience: z.array(Audience).min(1).default(['staff', 'elected-members', 'security-contacts']),
    sources: z.array(SourceSchema).min(1, 'needs at least one source'),
    reviewed: isoDay,
    reviewBy: isoDay,
    related: z.array(slug).default([]),
  })
  .refine((e) => e.reviewBy > e.reviewed, {
    message: 'must be later than reviewed',
    path: ['reviewBy'],
  });

/** A validated guidance entry. */
export type Entry = z.infer<typeof EntryFrontMatterSchema> & {
  /** The answer in the markdown subset. */
  answer: string;
  /** File the entry came from, relative to the knowledge folder. */
  file: string;
};
