import { describe, expect, it } from 'vitest';
import { didYouMean, levenshtein, suggestNames } from '../../src/core/expr/index.js';

describe('levenshtein', () => {
  it.each<[string, string, number]>([
    ['', '', 0],
    ['CL', 'CL', 0],
    ['', 'abc', 3],
    ['CL', 'CLL', 1],
    ['TVCL', 'TVLC', 2],
    ['kitten', 'sitting', 3],
    ['V', 'KA', 2],
  ])('%s -> %s = %d', (a, b, d) => {
    expect(levenshtein(a, b)).toBe(d);
    expect(levenshtein(b, a)).toBe(d);
  });
});

describe('suggestNames', () => {
  it('keeps only the closest names within distance 2', () => {
    expect(suggestNames('lg', ['log', 'if', 'exp'])).toEqual(['log']);
    expect(suggestNames('ETA_C', ['ETA_CL', 'ETA_V', 'THETA'])).toEqual(['ETA_CL', 'ETA_V']);
    expect(suggestNames('ETA_CLL', ['ETA_CL', 'ETA_V'])).toEqual(['ETA_CL']);
    expect(suggestNames('WEIGHT', ['WT', 'HT'])).toEqual([]);
  });
  it('ranks a case-only difference first and ignores the name itself and duplicates', () => {
    expect(suggestNames('cl', ['CL', 'CLQ', 'cl', 'CL'])).toEqual(['CL']);
  });
  it('limits the number of suggestions', () => {
    expect(suggestNames('A', ['A1', 'A2', 'A3', 'A4', 'A5'])).toEqual(['A1', 'A2', 'A3']);
  });
  it('formats the hint', () => {
    expect(didYouMean('CLL', ['CL', 'V'])).toBe("(did you mean 'CL'?)");
    expect(didYouMean('Q', ['Q1', 'Q2'])).toBe("(did you mean 'Q1' or 'Q2'?)");
    expect(didYouMean('A', ['A1', 'A2', 'A3'])).toBe("(did you mean 'A1', 'A2' or 'A3'?)");
    expect(didYouMean('ZZZZ', ['CL'])).toBeUndefined();
  });
});
