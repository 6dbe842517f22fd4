import { z } from 'zod';
import { parseMarkdown } from '../../src/markdown.js';
import type { Incoming, Reply } from '../../src/model.js';
import { replyToPlain } from '../../src/replies.js';

const userId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._@:-]+$/, 'may use only letters, digits and . _ @ : -');

/** The body of POST /api/chat. */
export const ChatRequestSchema = z.union([
  z.strictObject({
    // Required in local mode; with sign-in the session says who it is (see server.ts).
    userId: userId.optional(),
    userName: z.string().max(100).optional(),
    // The bot itself explains its own, lower limit; this only stops absurd payloads.
    text: z.string().max(20_000),
  }),
  z.strictObject({
    // Required in local mode; with sign-in the session says who it is (see server.ts).
    userId: userId.optional(),
    userName: z.string().max(100).optional(),
    action: z.strictObject({
      id: z.string().min(1).max(64),
      value: z.string().max(2000).optional(),
    }),
  }),
]);
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

/**
 * Translates an API request into the core's neutral message, from `who`: the signed-in viewer,
 * or in local mode the id and name the page sent.
 */
export function toIncoming(body: ChatRequest, who: { id: string; name?: string }): Incoming {
  const id = who.id;
  const user = { platform: 'web' as const, id, name: who.name };
  const conversation = { id: `web:${id}`, kind: 'direct' as const };
  return 'action' in body
    ? { user, conversation, action: body.action }
    : { user, conversation, text: body.text };
}

/** A reply as the JSON API returns it: plain text for scripts, blocks for the page. */
export function toApiReply(reply: Reply) {
  const sources = reply.blocks.flatMap((b) => (b.type === 'sources' ? b.sources : []));
  const reviewed = reply.blocks.find((b) => b.type === 'sources')?.reviewed;
  const actions = reply.blocks.flatMap((b) => (b.type === 'buttons' ? b.buttons : []));
  return {
    kind: reply.kind,
    answered: reply.kind === 'answer',
    entryId: reply.entryId,
    score: reply.score,
    text: replyToPlain(reply),
    sources,
    reviewed,
    actions: actions.map((a) => ({ id: a.id, label: a.label, value: a.value, style: a.style })),
    blocks: reply.blocks.map((b) =>
      b.type === 'paragraph' ? { type: 'paragraph', md: parseMarkdown(b.text) } : b,
    ),
  };
}
