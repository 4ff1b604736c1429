/**
 * A seeded xorshift32 generator: the same sequence on every machine, so generated tests are repeatable.
 * The seed is mixed first (splitmix32 step: golden-ratio increment, then murmur3's finalizer): raw
 * xorshift from a small state such as 1 starts with tiny values, so early draws barely depended on the seed.
 */
export function seededRandom(seed: number): () => number {
  let state = mixSeed(seed) || 0x6d2b79f5;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function mixSeed(seed: number): number {
  let z = (seed + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}
