// An incremental Server-Sent Events reader for bytes the proxy is already relaying: it sees each chunk
// once, keeps only the unfinished line, and reports complete events (name + data) as they close.

import { StringDecoder } from 'node:string_decoder';

export type SseListener = (event: string, data: string) => void;

export class SseReader {
  private readonly decoder = new StringDecoder('utf8');
  /** Pieces of a line that has not ended yet (a long `data:` line can span many chunks). */
  private pending: string[] = [];
  private event = '';
  private data: string[] = [];

  constructor(private readonly onEvent: SseListener) {}

  push(chunk: Buffer): void {
    this.scan(this.decoder.write(chunk));
  }

  /** The stream ended: a last event without its blank line still counts. */
  end(): void {
    this.scan(this.decoder.end());
    if (this.pending.length) this.line(this.pending.join(''));
    this.pending = [];
    this.dispatch();
  }

  private scan(text: string): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      let line = text.slice(start, nl);
      if (this.pending.length) {
        this.pending.push(line);
        line = this.pending.join('');
        this.pending = [];
      }
      this.line(line.endsWith('\r') ? line.slice(0, -1) : line);
      start = nl + 1;
    }
    if (start < text.length) this.pending.push(text.slice(start));
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' starts a comment */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
  }

  private dispatch(): void {
    if (this.data.length) this.onEvent(this.event, this.data.join('\n'));
    this.event = '';
    this.data = [];
  }
}
