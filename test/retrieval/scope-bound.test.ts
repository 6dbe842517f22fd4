import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { foldText } from '../../src/retrieval/index.js';
import { detectOutOfScope, SCOPE_MAX_CHARS } from '../../src/retrieval/scope.js';

// The evasion rule's first part as it was: two unbounded ".*" in a row made it cubic, so
// "hide " x 199 then "from " x 199 (1,990 characters) took 87 ms.
const CUBIC =
  /\b(hide|conceal|smuggle|sneak|wipe|encrypt)\b.*\b(from|past|through)\b.*\b(border|customs|inspections?|officials|authorities|police|search(es)?)\b/;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('out-of-scope rules do bounded work', () => {
  it('never run a rule over more than SCOPE_MAX_CHARS characters, however long the message', () => {
    const seen: number[] = [];
    const test = RegExp.prototype.test;
    vi.spyOn(RegExp.prototype, 'test').mockImplementation(function (this: RegExp, s: string) {
      seen.push(s.length);
      return test.call(this, s);
    });
    for (const unit of ['hide ', 'from ', 'hide from ', 'check ', 'a', ' ', 'detained now ']) {
      detectOutOfScope(unit.repeat(Math.ceil(20_000 / unit.length)));
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(Math.max(...seen)).toBeLessThanOrEqual(SCOPE_MAX_CHARS);
  });

  it('still reads a message of the default maximum length to its end', () => {
    const padding = 'we are planning the visit programme and the welcome dinner '.repeat(32);
    const text = `${padding.slice(0, SCOPE_MAX_CHARS - 60)} how do I hide files from border inspection`;
    expect(text.length).toBeLessThanOrEqual(SCOPE_MAX_CHARS);
    expect(detectOutOfScope(text)).toBe('evasion');
  });

  it('the rewritten evasion rule declines exactly what the cubic one did', () => {
    const word = fc.constantFrom(
      'hide',
      'wipe',
      'encrypt',
      'from',
      'past',
      'through',
      'border',
      'customs',
      'police',
      'search',
      'searches',
      'files',
      'the',
      'x',
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 14 }), (words) => {
        const text = words.join(' ');
        expect(detectOutOfScope(text) === 'evasion').toBe(CUBIC.test(foldText(text)));
      }),
      { numRuns: 2000 },
    );
  });
});
