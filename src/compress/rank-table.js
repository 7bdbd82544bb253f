// A tokenizer's merge ranks held in typed arrays: every token's bytes in one buffer and an open-addressing
// hash over them. A Map of one string per token held about 30 MB per table in every thread that counts; this
// holds under 2 MB for cl100k_base, and a lookup reads a range of the piece instead of cutting a string.
// Plain JavaScript, so the proxy's counting thread can load it as it is, from the sources as from the build.

/** The value of each base64 digit by its character code; -1 for `=` and anything else. */
const BASE64 = new Int8Array(128).fill(-1);
for (const [i, digit] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries())
  BASE64[digit.charCodeAt(0)] = i;

/**
 * FNV-1a over the char codes of `text` from `start` to `end`, each one byte (a latin1 string of bytes).
 * @param {string} text
 * @param {number} start
 * @param {number} end
 */
function hashOf(text, start, end) {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

export class RankTable {
  /**
   * @param {Uint8Array} bytes every token's bytes, one after another
   * @param {Int32Array} offsets where token i starts in `bytes`; entry i + 1 is where it ends
   * @param {Int32Array} ranks token i's rank
   */
  constructor(bytes, offsets, ranks) {
    this.bytes = bytes;
    this.offsets = offsets;
    this.ranks = ranks;
    let size = 1;
    while (size < ranks.length * 2) size *= 2;
    this.mask = size - 1;
    /** Token index + 1 in each slot, 0 where none. */
    this.slots = new Int32Array(size);
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
    for (let token = 0; token < ranks.length; token++) {
      let slot = hashOf(text, offsets[token] ?? 0, offsets[token + 1] ?? 0) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = token + 1;
    }
  }

  /**
   * The rank of the token whose bytes are `piece` from `start` to `end` (a latin1 string of bytes), or -1
   * when those bytes are no token.
   * @param {string} piece
   * @param {number} [start]
   * @param {number} [end]
   * @returns {number}
   */
  rank(piece, start = 0, end = piece.length) {
    const { bytes, offsets, slots, mask } = this;
    const length = end - start;
    for (let slot = hashOf(piece, start, end) & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot] ?? 0;
      if (entry === 0) return -1;
      const from = offsets[entry - 1] ?? 0;
      if ((offsets[entry] ?? 0) - from !== length) continue;
      let i = 0;
      while (i < length && bytes[from + i] === piece.charCodeAt(start + i)) i++;
      if (i === length) return this.ranks[entry - 1] ?? -1;
    }
  }
}

/**
 * The table of a tiktoken `bpe_ranks` text: lines of `<first byte> <first rank> <token in base64>...`,
 * ranks counting up from the first. Read in one pass, each token decoded straight into the buffer.
 * @param {string} text
 * @returns {RankTable}
 */
export function rankTableOf(text) {
  // Bounds: a token is 4 base64 digits or more (padded) and a space, and 4 digits hold 3 bytes.
  const most = Math.ceil(text.length / 4) + 1;
  let bytes = new Uint8Array(Math.ceil(text.length * 0.75));
  let offsets = new Int32Array(most + 1);
  let ranks = new Int32Array(most);
  let count = 0;
  let used = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const skip = text.indexOf(' ', start);
    let at = skip < 0 || skip > end ? end : text.indexOf(' ', skip + 1);
    if (at < 0 || at > end) at = end;
    let rank = Number.parseInt(text.slice(skip + 1, at), 10);
    for (let from = at + 1; from < end; ) {
      let to = text.indexOf(' ', from);
      if (to < 0 || to > end) to = end;
      offsets[count] = used;
      let bits = 0;
      let value = 0;
      for (let i = from; i < to; i += 1) {
        const digit = BASE64[text.charCodeAt(i)] ?? -1;
        if (digit < 0) continue;
        value = ((value << 6) | digit) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          bytes[used++] = (value >> bits) & 0xff;
        }
      }
      ranks[count++] = rank;
      rank += 1;
      from = to + 1;
    }
    start = end + 1;
  }
  offsets[count] = used;
  bytes = bytes.slice(0, used);
  offsets = offsets.slice(0, count + 1);
  ranks = ranks.slice(0, count);
  return new RankTable(bytes, offsets, ranks);
}
