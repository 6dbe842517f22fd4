import { nzDay } from '../clock.js';
import type { Case, CaseSource, CaseStatus } from './case.js';

/** Which cases a contact's desk shows. Days are New Zealand calendar days (YYYY-MM-DD). */
export interface CaseFilter {
  /** A status, `open` (any status that is not final; the default) or `all`. */
  status?: CaseStatus | 'open' | 'all';
  /** Where the case came from. */
  source?: CaseSource;
  /** Raised on or after this day. */
  from?: string;
  /** Raised on or before this day. */
  to?: string;
}

const FINAL: ReadonlySet<CaseStatus> = new Set(['resolved', 'closed']);

/** The cases that match a filter, in the order given. */
export function filterCases(cases: Case[], f: CaseFilter): Case[] {
  const status = f.status ?? 'open';
  return cases.filter((c) => {
    if (status === 'open' ? FINAL.has(c.status) : status !== 'all' && c.status !== status)
      return false;
    if (f.source && c.source !== f.source) return false;
    const day = nzDay(new Date(c.raisedAt));
    if (f.from && day < f.from) return false;
    if (f.to && day > f.to) return false;
    return true;
  });
}
