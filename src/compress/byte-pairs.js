// The byte-pair merge at the heart of a tiktoken encoder, counting the tokens of one piece. It gives what
// js-tiktoken's own merge gives, but keeps the candidate pairs in a heap instead of rescanning the piece
// after every merge, which made a piece of n bytes cost about n³ there (8 KB of `x`: 8 s; 32 KB: a minute).
// Plain JavaScript, so the proxy's counting thread can load it as it is, from the sources as from the build.

/**
 * How many tokens the byte-pair merge makes of `bytes`: starting from single bytes, it merges the adjacent
 * pair whose joined bytes rank lowest (the leftmost of equals) until no adjacent pair is a token.
 * @param {string} bytes the piece's UTF-8 bytes, one character per byte (latin1)
 * @param {import('./rank-table.js').RankTable} ranks the tokens' ranks
 * @returns {number}
 */
export function countMergedTokens(bytes, ranks) {
  const length = bytes.length;
  if (length < 2) return length;
  // Parts are named by the offset of their first byte; `next` holds where the following part starts.
  const next = new Int32Array(length);
  for (let i = 0; i < length; i++) next[i] = i + 1;
  const previous = new Int32Array(length);
  for (let i = 0; i < length; i++) previous[i] = i - 1;
  const alive = new Uint8Array(length).fill(1);
  /** The rank of the part at each offset joined with the part after it; -1 when that pair is no token. */
  const pairRank = new Int32Array(length).fill(-1);
  const heap = new CandidateHeap(length);

  /** @param {number} start */
  const rankPair = (start) => {
    const after = next[start] ?? length;
    const rank = after < length ? ranks.rank(bytes, start, next[after] ?? length) : -1;
    pairRank[start] = rank;
    if (rank >= 0) heap.push(rank, start);
  };
  for (let i = 0; i < length - 1; i++) rankPair(i);

  let parts = length;
  while (heap.size > 0) {
    const { rank, start } = heap.pop();
    // Entries left behind by earlier merges no longer describe a pair: skip them.
    if (!alive[start] || pairRank[start] !== rank) continue;
    const absorbed = next[start] ?? length;
    alive[absorbed] = 0;
    next[start] = next[absorbed] ?? length;
    if (next[start] < length) previous[next[start]] = start;
    parts--;
    rankPair(start);
    const before = previous[start] ?? -1;
    if (before >= 0) rankPair(before);
  }
  return parts;
}

/** A binary min-heap of (rank, start) pairs, ordered by rank, then by start (the leftmost first). */
class CandidateHeap {
  /** @param {number} capacity */
  constructor(capacity) {
    /** @type {number[]} */
    this.keys = [];
    this.span = capacity;
  }

  get size() {
    return this.keys.length;
  }

  /**
   * @param {number} rank
   * @param {number} start
   */
  push(rank, start) {
    const keys = this.keys;
    let i = keys.push(rank * this.span + start) - 1;
    const key = keys[i] ?? 0;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = keys[parent] ?? 0;
      if (above <= key) break;
      keys[i] = above;
      i = parent;
    }
    keys[i] = key;
  }

  /** @returns {{ rank: number, start: number }} */
  pop() {
    const keys = this.keys;
    const top = keys[0] ?? 0;
    const last = keys.pop() ?? 0;
    const size = keys.length;
    if (size > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= size) break;
        const right = left + 1;
        const child = right < size && (keys[right] ?? 0) < (keys[left] ?? 0) ? right : left;
        const below = keys[child] ?? 0;
        if (below >= last) break;
        keys[i] = below;
        i = child;
      }
      keys[i] = last;
    }
    return { rank: Math.floor(top / this.span), start: top % this.span };
  }
}
