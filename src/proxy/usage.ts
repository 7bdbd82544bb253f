// What a proxied request cost, as the upstream reports it: read from a JSON body or tapped from the relayed
// SSE stream without holding it back, by the readers of the request's wire format.

import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { UpstreamUsage, UsageReader } from '../formats/types.js';
import { parseJson } from '../formats/wire.js';
import { SseReader } from '../sse.js';

// Usage sits in small events and bodies: past this an event or a JSON body is not read, never held whole.
const MAX_TAP_BYTES = 8 * 1024 * 1024;

function decoderFor(encoding: string | undefined) {
  switch (encoding?.trim().toLowerCase()) {
    case undefined:
    case '':
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

/**
 * Watches response bytes on their way to the client and reports the upstream's usage once they end.
 * It never holds the stream back: SSE is read event by event (an event over 8 MB is skipped), a JSON body is
 * copied (up to 8 MB) and parsed after the client has it. Compressed bodies are inflated on the side.
 */
export class UsageTap {
  private readonly usage: UpstreamUsage = {};
  private readonly sse?: SseReader;
  private json?: Buffer[];
  private jsonBytes = 0;
  private readonly inflater?: NodeJS.ReadWriteStream;
  private readonly inflated?: Promise<void>;
  private readonly consume: (chunk: Buffer) => void;

  /** A tap for a response, or undefined when its body cannot carry usage or cannot be read. */
  static for(
    contentType: string | undefined,
    contentEncoding: string | undefined,
    readers: readonly UsageReader[],
  ): UsageTap | undefined {
    const type = contentType?.toLowerCase() ?? '';
    const stream = type.includes('text/event-stream');
    if (!stream && !type.includes('json')) return undefined;
    const inflater = decoderFor(contentEncoding);
    if (inflater === undefined) return undefined;
    return new UsageTap(stream, readers, inflater ?? undefined);
  }

  private constructor(
    stream: boolean,
    private readonly readers: readonly UsageReader[],
    inflater?: NodeJS.ReadWriteStream,
  ) {
    if (stream) {
      this.sse = new SseReader(
        (event, data) => {
          for (const reader of readers) reader.usageFromEvent(event, data, this.usage);
        },
        undefined,
        MAX_TAP_BYTES,
      );
      this.consume = (chunk) => this.sse!.push(chunk);
    } else {
      this.json = [];
      this.consume = (chunk) => {
        if (!this.json) return;
        this.jsonBytes += chunk.length;
        if (this.jsonBytes > MAX_TAP_BYTES) this.json = undefined;
        else this.json.push(chunk);
      };
    }
    if (inflater) {
      this.inflater = inflater;
      inflater.on('data', this.consume);
      this.inflated = new Promise((resolve) => {
        inflater.once('end', resolve);
        // A corrupt body is the client's concern; the tap just reports no usage.
        inflater.once('error', () => resolve());
      });
    }
  }

  write(chunk: Buffer): void {
    if (this.inflater) this.inflater.write(chunk);
    else this.consume(chunk);
  }

  /** The usage seen, once the body has ended (also call it after an error: partial usage still counts). */
  async finish(): Promise<UpstreamUsage> {
    if (this.inflater) {
      this.inflater.end();
      await this.inflated;
    }
    if (this.sse) this.sse.end();
    else if (this.json?.length) {
      const payload = parseJson(Buffer.concat(this.json).toString('utf8'));
      for (const reader of this.readers) reader.usageFromResponse(payload, this.usage);
    }
    return this.usage;
  }
}
