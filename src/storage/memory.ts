import { AdvisorError, ErrorCode } from '../errors.js';
import { OneProcessStore } from './one-process.js';
import {
  type AuditEvent,
  type ConversationState,
  type EscalationRequest,
  type Feedback,
  type ScheduledJob,
  type Store,
  type TripRecord,
  type UnansweredQuestion,
  type UserKey,
  userKey,
} from './types.js';

/** A Store that keeps everything in memory: for tests and the CLI. */
export class MemoryStore extends OneProcessStore implements Store {
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
  async pruneConversations(before: string) {
    let n = 0;
    for (const [user, s] of this.conversations) {
      if (s.updatedAt < before) {
        this.conversations.delete(user);
        n++;
      }
    }
    return n;
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
  private readonly sequences = new Map<string, number>();
  private readonly trips: TripRecord[] = [];
  private readonly escalations: EscalationRequest[] = [];
  private readonly jobs = new Map<string, ScheduledJob>();

  async nextSequence(name: string) {
    const n = (this.sequences.get(name) ?? 0) + 1;
    this.sequences.set(name, n);
    return n;
  }
  async addTrip(t: TripRecord) {
    if (!(await this.hasTrip(t.id))) this.trips.push(structuredClone(t));
  }
  async hasTrip(id: string) {
    return this.trips.some((t) => t.id === id);
  }
  async listTrips(user: UserKey) {
    return this.trips.filter((t) => userKey(t.user) === user).map((t) => structuredClone(t));
  }
  async getTrip(id: string) {
    const t = this.trips.find((x) => x.id === id);
    return t ? structuredClone(t) : undefined;
  }
  async addEscalationRequest(r: EscalationRequest) {
    this.escalations.push(structuredClone(r));
  }
  async listEscalationRequests() {
    return this.escalations.map((r) => structuredClone(r));
  }
  async scheduleJob(j: ScheduledJob) {
    this.jobs.set(j.id, structuredClone(j));
  }
  async listJobs() {
    return [...this.jobs.values()].map((j) => structuredClone(j));
  }
  async removeJob(id: string) {
    this.jobs.delete(id);
  }

  private unanswered: UnansweredQuestion[] = [];
  private readonly marks = new Set<string>();

  async addUnanswered(q: UnansweredQuestion) {
    this.unanswered.push({ ...q });
  }
  async listUnanswered(since?: string) {
    return this.unanswered
      .filter((q) => since === undefined || q.at >= since)
      .map((q) => ({ ...q }));
  }
  async purgeUnanswered(before: string) {
    const kept = this.unanswered.filter((q) => q.at >= before);
    const n = this.unanswered.length - kept.length;
    this.unanswered = kept;
    return n;
  }
  async markOnce(key: string) {
    if (this.marks.has(key)) return false;
    this.marks.add(key);
    return true;
  }
  async unmarkOnce(key: string) {
    this.marks.delete(key);
  }
  async countFlows(since: string) {
    let n = 0;
    for (const s of this.conversations.values()) if (s.flow && s.updatedAt >= since) n++;
    return n;
  }
  private closed = false;
  async ready() {
    if (this.closed) throw new AdvisorError(ErrorCode.StorageUnavailable, 'The store is closed.');
  }
  async close() {
    this.closed = true;
  }
}
