const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function iso(y: number, m: number, d: number): string | undefined {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return undefined;
  return date.toISOString().slice(0, 10);
}

function fullYear(y: string | undefined, today: string, m: number, d: number): number {
  if (y === undefined) {
    // No year: the next time that day comes round (29 February may be years away).
    const thisYear = Number(today.slice(0, 4));
    for (let year = thisYear; year < thisYear + 9; year++) {
      const candidate = iso(year, m, d);
      if (candidate && candidate >= today) return year;
    }
    return thisYear;
  }
  const n = Number(y);
  return y.length <= 2 ? 2000 + n : n;
}

/**
 * Reads a date the way New Zealanders write it: 2027-03-05, 5/3/2027, 5/3/27, 5-3-2027,
 * 5 March 2027, 5 Mar, March 5 2027, "today" or "tomorrow". Day comes before month.
 * Returns YYYY-MM-DD, or undefined if the text is not a real date.
 */
export function parseDate(text: string, today: string): string | undefined {
  const t = text
    .trim()
    .toLowerCase()
    .replace(/(\d)(st|nd|rd|th)\b/g, '$1')
    .replace(/,/g, ' ')
    .replace(/\s+/g, ' ');
  if (t === 'today') return today;
  if (t === 'tomorrow') {
    const d = new Date(`${today}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (m) return iso(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$/.exec(t);
  if (m) {
    const d = Number(m[1]);
    const mo = Number(m[2]);
    return iso(fullYear(m[3], today, mo, d), mo, d);
  }
  m = /^(?:[a-z]+ )?(\d{1,2}) ([a-z]+)(?: (\d{4}))?$/.exec(t);
  const monthOf = (word: string) => MONTHS.indexOf(word.slice(0, 3)) + 1;
  if (m?.[2] && monthOf(m[2]) > 0) {
    const mo = monthOf(m[2]);
    const d = Number(m[1]);
    return iso(fullYear(m[3], today, mo, d), mo, d);
  }
  m = /^([a-z]+) (\d{1,2})(?: (\d{4}))?$/.exec(t);
  if (m?.[1] && monthOf(m[1]) > 0) {
    const mo = monthOf(m[1]);
    const d = Number(m[2]);
    return iso(fullYear(m[3], today, mo, d), mo, d);
  }
  return undefined;
}
