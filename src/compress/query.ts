// The relevance query of a block: terms from the user's request and the tool call's arguments,
// matched against lines by lower-cased stem containment and weighted by how rare they are in the block.

/** Terms a block is ranked against. */
export interface Query {
  /** Stems of the meaningful words, sorted and unique. */
  terms: readonly string[];
}

const STOPWORDS = new Set(
  (
    'the a an and or of to in on for with by at from is are was were be been being do does did done what which who ' +
    'whom whose where when why how this that these those it its as into than then there their they them we you he ' +
    'she my our your any all each other some such not no yes can could should would will may might must has have ' +
    'had about after before between during over under up down out only also very just more most same so if else ' +
    'get got use used using make makes like one two many much per via did does doing there here show tell find ' +
    'give list look see new old first last later while them true false null none file files line lines'
  ).split(' '),
);

/** Cheap suffix stripping so "deleted", "deletes" and "delete" share the stem "delet". */
export function stem(word: string): string {
  if (word.length <= 4) return word;
  for (const suffix of [
    'ations',
    'ation',
    'ings',
    'ing',
    'ies',
    'ied',
    'ers',
    'er',
    'es',
    'ed',
    'ly',
    's',
    'e',
  ]) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) return word.slice(0, -suffix.length);
  }
  return word;
}

const WORD = /[\p{L}\p{N}_]+/gu;

/** Lower-cased words of a text. */
export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** Build a query from free text (user message, tool arguments); deterministic and order-free. */
export function buildQuery(...texts: string[]): Query {
  const terms = new Set<string>();
  for (const text of texts) {
    for (const word of words(text)) {
      if (word.length < 3 || STOPWORDS.has(word)) continue;
      terms.add(stem(word));
    }
    // Versions, addresses and other dotted numbers are strong terms as a whole, and so are file names
    // (`index.js`, `client.ts`): they name one file, not every file whose name holds the word.
    for (const dotted of text.match(/\d+(?:\.\d+)+/g) ?? []) terms.add(dotted);
    for (const file of text.match(/\b[A-Za-z_][\w-]*\.[a-z][a-z0-9]{0,5}\b(?!\.\w)/g) ?? [])
      if (file.length >= 5) terms.add(file.toLowerCase());
  }
  return { terms: [...terms].sort() };
}

export const EMPTY_QUERY: Query = { terms: [] };

/**
 * Whether `term` occurs in `lower` (the lower-cased `text`) at the start of a word: after a non-letter,
 * or at a lower-to-upper case change in `text` ("ExecuteContext" holds "context"; "decode" holds no "code").
 */
export function containsTerm(text: string, lower: string, term: string): boolean {
  for (let at = lower.indexOf(term); at !== -1; at = lower.indexOf(term, at + 1)) {
    if (at === 0) return true;
    const before = lower.charCodeAt(at - 1);
    const letterOrDigit = (before >= 97 && before <= 122) || (before >= 48 && before <= 57);
    if (!letterOrDigit) return true;
    const here = text.charCodeAt(at);
    const prev = text.charCodeAt(at - 1);
    if (here >= 65 && here <= 90 && prev >= 97 && prev <= 122) return true;
  }
  return false;
}

/**
 * Weight of each query term in a set of units (lines, items, sentences): rare terms weigh more,
 * terms found in no unit weigh nothing, and terms in most units weigh almost nothing.
 */
export function termWeights(units: readonly string[], query: Query): Map<string, number> {
  const weights = new Map<string, number>();
  if (query.terms.length === 0 || units.length === 0) return weights;
  const lowered = units.map((u) => u.toLowerCase());
  for (const term of query.terms) {
    let df = 0;
    for (let i = 0; i < units.length; i++)
      if (containsTerm(units[i] as string, lowered[i] as string, term)) df++;
    if (df > 0) weights.set(term, Math.log(1 + (units.length - df + 0.5) / (df + 0.5)));
  }
  return weights;
}

/** Relevance of one unit: the summed weight of the query terms it contains. */
export function relevance(unit: string, weights: ReadonlyMap<string, number>): number {
  if (weights.size === 0) return 0;
  const lower = unit.toLowerCase();
  let score = 0;
  for (const [term, weight] of weights) if (containsTerm(unit, lower, term)) score += weight;
  return score;
}
