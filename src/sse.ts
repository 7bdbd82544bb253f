// Server-Sent Events, both ways: an incremental reader for bytes the proxy is already relaying (it finds
// where each event ends as the bytes come, and reports the event's name, its data and the exact bytes it
// took), and the writing of events, JSON data included.
//
// Events are cut at their blank line in the raw bytes (a newline is one byte in UTF-8, so no character is
// ever split), and only a complete event is decoded. An event within one chunk is reported as a view of
// that chunk, so a caller passing events on unchanged forwards the upstream's own bytes without copying.

/** One server-sent event: its name ('' when unnamed) and its data. */
export interface SseEvent {
  event: string;
  data: string;
}

/** A complete event: `event` is '' when unnamed; `raw` is the bytes it came in, blank line included. */
export type SseListener = (event: string, data: string, raw: Buffer) => void;
/** A block without data (a comment such as a keep-alive, a `retry:`): just its bytes. */
export type SseOtherListener = (raw: Buffer) => void;

const LF = 10;
const CR = 13;

// How much of the current line has been seen: nothing, a lone CR, or content.
const EMPTY = 0;
const LONE_CR = 1;
const CONTENT = 2;
type Line = typeof EMPTY | typeof LONE_CR | typeof CONTENT;

export class SseReader {
  /** The start of an event that began in an earlier chunk. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The event under way grew past `maxEventBytes`: its bytes are dropped until it ends. */
  private skipping = false;
  private line: Line = EMPTY;

  constructor(
    private readonly onEvent: SseListener,
    private readonly onOther?: SseOtherListener,
    /** Events longer than this are dropped unread, so a stream that never ends an event is never held whole. */
    private readonly maxEventBytes = Number.POSITIVE_INFINITY,
  ) {}

  push(chunk: Buffer): void {
    let eventStart = 0;
    let lineStart = 0;
    for (let nl = chunk.indexOf(LF); nl !== -1; nl = chunk.indexOf(LF, nl + 1)) {
      const state = lineAfter(lineStart === 0 ? this.line : EMPTY, chunk, lineStart, nl);
      lineStart = nl + 1;
      this.line = EMPTY;
      if (state === CONTENT) continue;
      // A blank line: the event ends with it.
      let raw = chunk.subarray(eventStart, lineStart);
      eventStart = lineStart;
      const tooLong = this.skipping || this.pendingBytes + raw.length > this.maxEventBytes;
      if (this.pending.length && !tooLong) {
        this.pending.push(raw);
        raw = Buffer.concat(this.pending);
      }
      this.drop();
      if (!tooLong) this.dispatch(raw);
    }
    this.line = lineAfter(lineStart === 0 ? this.line : EMPTY, chunk, lineStart, chunk.length);
    if (eventStart < chunk.length) this.hold(chunk.subarray(eventStart));
  }

  /**
   * The stream ended where an event would end: bytes after the last blank line are dropped, as an SSE
   * client drops an event the stream cut off. True when there were any.
   */
  endStrictly(): boolean {
    const cut = this.pending.length > 0 || this.skipping;
    this.drop();
    this.line = EMPTY;
    return cut;
  }

  /** The stream ended: a last event without its blank line still counts. */
  end(): void {
    const raw = this.pending.length && !this.skipping ? Buffer.concat(this.pending) : undefined;
    this.drop();
    this.line = EMPTY;
    if (raw) this.dispatch(raw);
  }

  /** Keep the start of an event that goes on in the next chunk, unless it is already too long to read. */
  private hold(piece: Buffer): void {
    if (this.skipping) return;
    this.pendingBytes += piece.length;
    if (this.pendingBytes <= this.maxEventBytes) {
      this.pending.push(piece);
      return;
    }
    this.pending = [];
    this.skipping = true;
  }

  /** Forget the event under way. */
  private drop(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = false;
  }

  private dispatch(raw: Buffer): void {
    const text = raw.toString('utf8');
    let event = '';
    let data: string | undefined;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      const lineEnd = end > start && text.charCodeAt(end - 1) === CR ? end - 1 : end;
      // A line starting with ':' is a comment; an empty one ends the event.
      if (lineEnd > start && text.charCodeAt(start) !== 58) {
        const colon = text.indexOf(':', start);
        const fieldEnd = colon === -1 || colon > lineEnd ? lineEnd : colon;
        let valueStart = fieldEnd === lineEnd ? lineEnd : fieldEnd + 1;
        if (text.charCodeAt(valueStart) === 32 && valueStart < lineEnd) valueStart += 1;
        const field = text.slice(start, fieldEnd);
        if (field === 'data') {
          const value = text.slice(valueStart, lineEnd);
          data = data === undefined ? value : `${data}\n${value}`;
        } else if (field === 'event') {
          event = text.slice(valueStart, lineEnd);
        }
      }
      start = end + 1;
    }
    if (data !== undefined) this.onEvent(event, data, raw);
    else this.onOther?.(raw);
  }
}

/** The state of a line that was `state` and goes on with chunk[from, to). */
function lineAfter(state: Line, chunk: Buffer, from: number, to: number): Line {
  if (from === to) return state;
  if (state !== EMPTY) return CONTENT;
  return to - from === 1 && chunk[from] === CR ? LONE_CR : CONTENT;
}

/** SSE text for one event. */
export function formatSseEvent(event: SseEvent): string {
  const name = event.event ? `event: ${event.event}\n` : '';
  const data = event.data.includes('\n') ? event.data.split('\n').join('\ndata: ') : event.data;
  return `${name}data: ${data}\n\n`;
}

type JsonObject = Record<string, unknown>;

/** An event's data as a JSON object, or undefined when it is not one. */
export function eventData(data: string): JsonObject | undefined {
  try {
    const parsed: unknown = JSON.parse(data);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}

/** An event carrying `data` as JSON. */
export function jsonEvent(event: string, data: JsonObject): SseEvent {
  return { event, data: JSON.stringify(data) };
}

/**
 * The event with `changes` made to its JSON data. Data that is not JSON is left as it came: rewritten, the
 * event would read as one that says nothing (a text delta without its text), where the client's own reader
 * can still see it was broken.
 */
export function rewrittenEvent(event: SseEvent, changes: JsonObject): SseEvent {
  const data = eventData(event.data);
  return data === undefined ? event : jsonEvent(event.event, { ...data, ...changes });
}

/** The event's type: its name, or for an unnamed event the `type` in its data. */
export function eventType(event: SseEvent): string | undefined {
  if (event.event) return event.event;
  const type = eventData(event.data)?.type;
  return typeof type === 'string' ? type : undefined;
}

/**
 * A number field read from an event's JSON text without parsing it, e.g. `/"index":\s*(\d+)/`. An
 * unescaped quote cannot occur inside a JSON string, so `"index":` is always a key; the APIs put the keys
 * read this way before any nested object.
 */
export function jsonNumber(data: string, key: RegExp): number | undefined {
  const match = key.exec(data);
  return match ? Number(match[1]) : undefined;
}
