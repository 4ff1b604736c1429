/**
 * The seeded generator behind every generated test (test/helpers/random.ts): repeatable, and the very
 * first draws already depend on the seed (small seeds used to start with values near zero).
 */
import { describe, expect, test } from 'bun:test';
import { seededRandom } from '../helpers/random.ts';

/** How many of `values` fall in each tenth of [0, 1). */
function deciles(values: number[]): number[] {
  const counts = Array<number>(10).fill(0);
  for (const v of values) counts[Math.floor(v * 10)]!++;
  return counts;
}

describe('seededRandom', () => {
  test('the same seed gives the same sequence; values lie in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    for (let k = 0; k < 1000; k++) {
      const v = a();
      expect(v).toBe(b());
      expect(v >= 0 && v < 1).toBe(true);
    }
  });

  test('the first draw of seeds 1..1000 spreads over every tenth of [0, 1)', () => {
    const first = Array.from({ length: 1000 }, (_, k) => seededRandom(k + 1)());
    // Without mixing, seed 1 gave 0.0157 and all of 1..1000 fell in the lowest tenth.
    for (const count of deciles(first)) expect(count).toBeGreaterThan(60);
    expect(seededRandom(1)()).toBeGreaterThan(0.1);
  });

  test('neighbouring seeds, 0 and negative seeds give different sequences', () => {
    const firstThree = (seed: number) => {
      const r = seededRandom(seed);
      return [r(), r(), r()];
    };
    const seen = new Set<string>();
    for (const seed of [0, 1, 2, 3, -1, -2, 2 ** 31 - 1, -(2 ** 31)]) seen.add(firstThree(seed).join());
    expect(seen.size).toBe(8);
  });
});
