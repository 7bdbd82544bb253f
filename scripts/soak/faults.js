// What the soak's model API does to each request, drawn from a seeded generator keyed by the request's tag:
// the same seed and tag always give the same fault, whatever order concurrent requests arrive in.

/** 32-bit FNV-1a of a string: a seed from a name. */
export function hashOf(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A seeded generator of floats in [0, 1) (mulberry32). */
export function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One of `items`, drawn with `random`. */
export function pick(random, items) {
  return items[Math.floor(random() * items.length)];
}

// Weights out of 100. A stall costs the client the proxy's idle timeout, so stalls are rarer.
const FAULTS = [
  ['ok', 52],
  ['server-error', 8],
  ['rate-limited', 7],
  ['reset-before-answer', 5],
  ['reset-mid-answer', 8],
  ['stall-before-answer', 2],
  ['stall-mid-answer', 4],
  ['malformed', 14],
];

export const FAULT_KINDS = FAULTS.map(([kind]) => kind);

/**
 * The fault for the request tagged `tag`: its kind, and what the kind needs (a status, how far into the
 * answer it strikes, which malformation), plus how long the model thinks and how long it waits between
 * two events.
 */
export function faultFor(seed, tag, { stream }) {
  const random = generator(hashOf(`${seed}:${tag}`));
  let roll = random() * 100;
  let kind = 'ok';
  for (const [name, weight] of FAULTS) {
    if (roll < weight) {
      kind = name;
      break;
    }
    roll -= weight;
  }
  const fault = {
    kind,
    thinkMs: Math.floor(random() * 25),
    gapMs: random() < 0.5 ? 0 : Math.floor(random() * 4),
  };
  // How far into the answer a mid-answer fault strikes: somewhere strictly inside it.
  fault.at = 0.1 + random() * 0.8;
  // An answer to a compressed request calls headroom_retrieve first this often.
  fault.retrieves = random() < 0.35;
  if (kind === 'server-error') fault.status = pick(random, [500, 502, 503, 529]);
  if (kind === 'rate-limited') {
    fault.status = 429;
    fault.retryAfter = String(1 + Math.floor(random() * 30));
  }
  if (kind === 'malformed') {
    fault.variant = pick(
      random,
      stream ? ['garbled-event', 'html-page', 'cut-json'] : ['cut-json', 'html-page'],
    );
    // Half the garbled events are among the last three, where the events that end an answer are.
    if (fault.variant === 'garbled-event') fault.fromEnd = random() < 0.5 ? 1 + Math.floor(random() * 3) : 0;
  }
  return fault;
}
