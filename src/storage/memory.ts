import type { AuditEvent, ConversationState, Feedback, Store, UserKey } from './types.js';

/** A Store that keeps everything in memory: for tests and the CLI. */
export class MemoryStore implements Store {
  private readonly conversations = new Map<UserKey, ConversationState>();
  private readonly feedback: Feedback[] = [];
  private readonly events: AuditEvent[] = [];

  async getConversation(user: UserKey) {
    const s = this.conversations.get(user);
    return s ? structuredClone(s) : undefined;
  }
  async setConversation(user: UserKey, state: ConversationState | undefined) {
    if (state) this.conversations.set(user, structuredClone(state));
    else this.conversations.delete(user);
  }
  async addFeedback(f: Feedback) {
    this.feedback.push({ ...f });
  }
  async listFeedback() {
    return this.feedback.map((f) => ({ ...f }));
  }
  async audit(e: AuditEvent) {
    this.events.push(structuredClone(e));
  }
  async readAudit() {
    return this.events.map((e) => structuredClone(e));
  }
  async close() {}
}
