// Reads JSON that an agent's output cap cut: the valid prefix a cut left (its open strings and containers
// closed, and where it stopped said) and the valid suffix a head-and-tail cut keeps. Strict JSON otherwise:
// text that is not a piece of one JSON document is refused, so detection can lean on it.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** What a JSON prefix stops inside of. */
export type CutInside = 'string' | 'key' | 'number' | 'literal' | 'after-key' | 'between-items';

/** Where a JSON prefix stops. */
export interface JsonCut {
  inside: CutInside;
  /** jq path of the value being written when the text stopped (`.[2].response[0].body`; `.` is the root). */
  path: string;
  /** The key whose value was not written yet (`after-key`). */
  key?: string;
  /** Containers the text left open, which the recovered value closes. */
  open: number;
}

/** A JSON prefix read: the value it holds, closed, and where it stopped (undefined when it was whole). */
export interface JsonPrefix {
  value: Json;
  cut: JsonCut | undefined;
}

/** One container the suffix closes, with the members it shows after the container below closed. */
export interface SuffixLevel {
  kind: 'array' | 'object';
  /** Members in order; the first of the innermost level may have lost its key to the cut. */
  members: Array<{ key: string | undefined; value: Json }>;
}

/** A JSON suffix read: what came before its first whole token, the containers it closes, what follows. */
export interface JsonSuffix {
  /** The rest of the token (or line) the cut went through. */
  fragment: string;
  /** Innermost first; the last is the document's root. */
  levels: SuffixLevel[];
  /** Lines after the document's end (a message the command printed after it), or ''. */
  after: string;
}

type Token =
  | { type: 'punct'; char: string; end: number }
  | { type: 'scalar'; value: Json; end: number }
  | { type: 'cut'; inside: 'string' | 'number' | 'literal'; partial: string };

type Frame =
  | { kind: 'array'; value: Json[]; state: 'first' | 'value' | 'after' }
  | {
      kind: 'object';
      value: JsonObject;
      key: string | undefined;
      state: 'first' | 'key' | 'colon' | 'value' | 'after';
    };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NUMBER_CHARS = /[-+.eE\d]*/y;
const LITERALS: ReadonlyArray<readonly [string, Json]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];

function skipSpace(text: string, at: number): number {
  let i = at;
  for (let c = text.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = text.charCodeAt(++i));
  return i;
}

/** The string starting at the quote at `start`: its end, or where an unfinished one stops being whole. */
function scanString(text: string, start: number): { end: number; closed: boolean } | undefined {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return { end: i + 1, closed: true };
    if (c < 0x20) return undefined;
    if (c !== 0x5c) continue;
    const escaped = text[i + 1];
    if (escaped === undefined) return { end: i, closed: false };
    if (escaped === 'u') {
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]*$/.test(hex)) return undefined;
      if (hex.length < 4) return { end: i, closed: false };
      i += 5;
    } else if ('"\\/bfnrt'.includes(escaped)) i++;
    else return undefined;
  }
  return { end: text.length, closed: false };
}

/** The token at `at` (not whitespace), a token the end of the text cut, or undefined when it is not JSON. */
function readToken(text: string, at: number): Token | undefined {
  const char = text[at] as string;
  if ('{}[]:,'.includes(char)) return { type: 'punct', char, end: at + 1 };
  if (char === '"') {
    const scanned = scanString(text, at);
    if (!scanned) return undefined;
    if (scanned.closed)
      return { type: 'scalar', value: JSON.parse(text.slice(at, scanned.end)) as string, end: scanned.end };
    return {
      type: 'cut',
      inside: 'string',
      partial: JSON.parse(`${text.slice(at, scanned.end)}"`) as string,
    };
  }
  if (char === '-' || (char >= '0' && char <= '9')) {
    NUMBER_CHARS.lastIndex = at;
    NUMBER_CHARS.test(text);
    const end = NUMBER_CHARS.lastIndex;
    if (end === text.length) return { type: 'cut', inside: 'number', partial: text.slice(at) };
    NUMBER.lastIndex = at;
    if (!NUMBER.test(text) || NUMBER.lastIndex !== end) return undefined;
    return { type: 'scalar', value: Number(text.slice(at, end)), end };
  }
  for (const [word, value] of LITERALS) {
    if (text.startsWith(word, at)) return { type: 'scalar', value, end: at + word.length };
    const rest = text.length - at < word.length ? text.slice(at) : '';
    if (rest !== '' && word.startsWith(rest)) return { type: 'cut', inside: 'literal', partial: rest };
  }
  return undefined;
}

/** `object[key] = value`, as JSON.parse does it: `__proto__` is an own key, never the prototype. */
export function setMember(object: JsonObject, key: string, value: Json): void {
  if (key === '__proto__')
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/** What reaches the level below the open containers: a whole value, or punctuation that is not theirs. */
type Outcome = { value: Json } | { punct: string } | 'open' | 'invalid';

/** The containers opened so far, fed one token at a time. */
class Containers {
  readonly frames: Frame[] = [];

  feed(token: Token & { type: 'punct' | 'scalar' }): Outcome {
    const top = this.frames.at(-1);
    const char = token.type === 'punct' ? token.char : undefined;
    if (!top) {
      if (char === undefined) return { value: (token as { value: Json }).value };
      if (char === '{' || char === '[') return this.open(char);
      return { punct: char };
    }
    if (top.kind === 'array') {
      if (char === ']' && (top.state === 'first' || top.state === 'after')) return this.close();
      if (top.state === 'after') {
        if (char !== ',') return 'invalid';
        top.state = 'value';
        return 'open';
      }
    } else {
      if (char === '}' && (top.state === 'first' || top.state === 'after')) return this.close();
      if (top.state === 'after') {
        if (char !== ',') return 'invalid';
        top.state = 'key';
        return 'open';
      }
      if (top.state === 'first' || top.state === 'key') {
        if (token.type !== 'scalar' || typeof token.value !== 'string') return 'invalid';
        top.key = token.value;
        top.state = 'colon';
        return 'open';
      }
      if (top.state === 'colon') {
        if (char !== ':') return 'invalid';
        top.state = 'value';
        return 'open';
      }
    }
    // A value is expected.
    if (char === '{' || char === '[') return this.open(char);
    if (char !== undefined) return 'invalid';
    return this.attach((token as { value: Json }).value);
  }

  private open(char: '{' | '['): Outcome {
    this.frames.push(
      char === '{'
        ? { kind: 'object', value: {}, key: undefined, state: 'first' }
        : { kind: 'array', value: [], state: 'first' },
    );
    return 'open';
  }

  private close(): Outcome {
    const done = this.frames.pop() as Frame;
    return this.attach(done.value);
  }

  /** A whole value given to the innermost open container, or handed down when none is open. */
  attach(value: Json): Outcome {
    const top = this.frames.at(-1);
    if (!top) return { value };
    if (top.kind === 'array') top.value.push(value);
    else setMember(top.value, top.key as string, value);
    top.state = 'after';
    return 'open';
  }

  /** Whether the innermost open container waits for a value (the one a cut scalar would have been). */
  awaitsValue(): boolean {
    const top = this.frames.at(-1);
    return !!top && (top.kind === 'array' ? top.state !== 'after' : top.state === 'value');
  }

  /** Whether the innermost open container is an object waiting for a key. */
  awaitsKey(): boolean {
    const top = this.frames.at(-1);
    return top?.kind === 'object' && (top.state === 'first' || top.state === 'key');
  }

  /** jq path of the innermost open container, or with `child`, of the value it is being given. */
  path(child = false): string {
    const steps: string[] = [];
    this.frames.forEach((frame, i) => {
      if (i === this.frames.length - 1 && !child) return;
      if (frame.kind === 'array') steps.push(`[${frame.value.length}]`);
      else steps.push(pathKey(frame.key ?? ''));
    });
    return steps.length === 0 ? '.' : steps.join('').replace(/^\[/, '.[');
  }
}

function pathKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * The object or array a JSON prefix holds, with what it left open closed, and where it stopped. A string cut
 * short is kept with `…` after what was written; a number, literal or key cut short is left out (its digits
 * or letters say nothing sure). Undefined when the text is not the start of a JSON object or array.
 */
export function parsePrefix(text: string): JsonPrefix | undefined {
  let at = skipSpace(text, 0);
  if (text[at] !== '{' && text[at] !== '[') return undefined;
  const containers = new Containers();
  let root: Json | undefined;
  let cut: Token & { type: 'cut' } = { type: 'cut', inside: 'string', partial: '' };
  let stopped = false;
  for (at = skipSpace(text, at); at < text.length; at = skipSpace(text, at)) {
    const token = readToken(text, at);
    if (!token || root !== undefined) return undefined;
    if (token.type === 'cut') {
      cut = token;
      stopped = true;
      break;
    }
    const outcome = containers.feed(token);
    if (outcome === 'invalid' || (typeof outcome === 'object' && 'punct' in outcome)) return undefined;
    if (typeof outcome === 'object') root = outcome.value;
    at = token.end;
  }
  if (root !== undefined) return { value: root, cut: undefined };
  const top = containers.frames.at(-1) as Frame;
  const open = containers.frames.length;
  let where: JsonCut;
  if (stopped && cut.inside === 'string' && containers.awaitsKey())
    where = { inside: 'key', path: containers.path(), open };
  else if (stopped && containers.awaitsValue())
    where = { inside: cut.inside, path: containers.path(true), open };
  else if (stopped) return undefined;
  else if (top.kind === 'object' && (top.state === 'colon' || top.state === 'value'))
    where = { inside: 'after-key', path: containers.path(true), key: top.key as string, open };
  else where = { inside: 'between-items', path: containers.path(), open };
  if (where.inside === 'string' && cut.partial !== '') containers.attach(`${cut.partial}…`);
  for (;;) {
    const frame = containers.frames.pop() as Frame;
    const outcome = containers.attach(frame.value);
    if (typeof outcome === 'object' && 'value' in outcome) return { value: outcome.value, cut: where };
  }
}

/**
 * Where a suffix may start: after its first line break when one is followed by more (JSON strings hold
 * none, so that is a token's edge); on one line, at punctuation the cut left first, else after each of the
 * first commas, brackets and colons (one inside a string fails to parse on).
 */
function suffixStarts(text: string): number[] {
  const newline = text.indexOf('\n');
  if (newline !== -1 && text.slice(newline).trim() !== '') return [newline + 1];
  const starts = /^[\s,:\]}]/.test(text) ? [0] : [];
  for (let i = 0; i < text.length && i < 4096 && starts.length < 64; i++)
    if (',[{:'.includes(text[i] as string)) starts.push(i + 1);
  return starts;
}

/**
 * The containers the end of a JSON document closes, innermost first, each with the members it shows; the
 * text may start anywhere in the document, and go on past its end with other lines. Undefined when no start
 * found makes the rest the end of one.
 */
export function parseSuffix(text: string): JsonSuffix | undefined {
  const whole = suffixOf(text);
  if (whole) return { ...whole, after: '' };
  // The document may end before the text does: try the last few lines that close a bracket as its end.
  const ends = [...text.matchAll(/[\]}][ \t\r]*\n/g)].slice(-3).reverse();
  for (const end of ends) {
    const at = end.index + end[0].length;
    const read = suffixOf(text.slice(0, at));
    if (read) return { ...read, after: text.slice(at) };
  }
  return undefined;
}

function suffixOf(text: string): Omit<JsonSuffix, 'after'> | undefined {
  for (const start of suffixStarts(text)) {
    const levels = suffixFrom(text, start);
    if (levels) return { fragment: text.slice(0, start), levels };
  }
  return undefined;
}

type LevelState = 'start' | 'member' | 'value' | 'after';

function suffixFrom(text: string, start: number): SuffixLevel[] | undefined {
  const containers = new Containers();
  const levels: SuffixLevel[] = [];
  let members: SuffixLevel['members'] = [];
  let state: LevelState = 'start';
  let key: string | undefined;
  // Whether this level's members show it is an object (a key, or a value after a colon) or an array.
  let keyed = false;
  let unkeyed = false;
  for (let at = skipSpace(text, start); at < text.length; at = skipSpace(text, at)) {
    const token = readToken(text, at);
    if (!token || token.type === 'cut') return undefined;
    at = token.end;
    const below = containers.frames.length === 0;
    if (below && token.type === 'scalar' && typeof token.value === 'string' && state !== 'after') {
      const colon = skipSpace(text, at);
      if (text[colon] === ':' && state !== 'value') {
        key = token.value;
        keyed = true;
        state = 'value';
        at = colon + 1;
        continue;
      }
    }
    const valueStart = token.type === 'scalar' || token.char === '{' || token.char === '[';
    if (below && valueStart && state === 'after') return undefined;
    const outcome = containers.feed(token);
    if (outcome === 'invalid') return undefined;
    if (outcome === 'open') continue;
    if ('value' in outcome) {
      if (state === 'member') unkeyed = true;
      if (state === 'value' && key === undefined) keyed = true;
      members.push({ key: state === 'value' ? key : undefined, value: outcome.value });
      key = undefined;
      state = 'after';
      continue;
    }
    const { punct } = outcome;
    if (punct === ',' && (state === 'after' || state === 'start')) state = 'member';
    else if (punct === ':' && state === 'start') state = 'value';
    else if ((punct === '}' || punct === ']') && (state === 'after' || state === 'start')) {
      const kind = punct === '}' ? 'object' : 'array';
      const keyless = members.filter((m, i) => m.key === undefined && (levels.length > 0 || i > 0));
      if (kind === 'object' ? keyless.length > 0 || unkeyed : keyed) return undefined;
      levels.push({ kind, members });
      members = [];
      state = 'after';
      keyed = false;
      unkeyed = false;
    } else return undefined;
  }
  const ended = containers.frames.length === 0 && members.length === 0 && state === 'after';
  return ended && levels.length > 0 ? levels : undefined;
}
