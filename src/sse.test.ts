// The proxy's SSE reader sees a stream in whatever pieces TCP delivers it: every event must come out whole,
// once, with the exact bytes it arrived in, wherever the pieces were cut.

import { describe, expect, it } from 'vitest';
import { SseReader } from './sse.js';

interface Seen {
  event?: string;
  data?: string;
  raw: string;
}

function read(pieces: Buffer[], end = true): Seen[] {
  const seen: Seen[] = [];
  const reader = new SseReader(
    (event, data, raw) => seen.push({ event, data, raw: raw.toString('utf8') }),
    (raw) => seen.push({ raw: raw.toString('utf8') }),
  );
  for (const piece of pieces) reader.push(piece);
  if (end) reader.end();
  return seen;
}

/** The stream cut into pieces at every position from 1 to `size` bytes apart. */
function cuts(stream: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let i = 0; i < stream.length; i += size) pieces.push(stream.subarray(i, i + size));
  return pieces;
}

const STREAM = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_01"}}\n\n',
  ': keep-alive\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Grüße 👋"}}\n\n',
  'event: content_block_delta\r\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" – CRLF"}}\r\n\r\n',
  'data: first line\ndata: second line\n\n',
  'data: [DONE]\n\n',
].join('');

describe('SseReader', () => {
  it('reports every event with its name, data and exact bytes however the stream is cut', () => {
    const whole = read([Buffer.from(STREAM)]);
    expect(whole.map((e) => e.event)).toEqual([
      'message_start',
      undefined,
      'content_block_delta',
      'content_block_delta',
      '',
      '',
    ]);
    expect(whole[2]!.data).toContain('Grüße 👋');
    expect(whole[3]!.data).toBe(
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" – CRLF"}}',
    );
    expect(whole[4]!.data).toBe('first line\nsecond line');
    expect(whole.map((e) => e.raw).join('')).toBe(STREAM);

    const bytes = Buffer.from(STREAM);
    for (let size = 1; size <= 40; size++) expect(read(cuts(bytes, size))).toEqual(whole);
  });

  it('hands out views of the chunk for events within it, not copies', () => {
    const chunk = Buffer.from(STREAM);
    const views: Buffer[] = [];
    const reader = new SseReader((_event, _data, raw) => views.push(raw));
    reader.push(chunk);
    expect(views.length).toBeGreaterThan(0);
    for (const view of views) expect(view.buffer).toBe(chunk.buffer);
  });

  it('drops a last event cut off without its blank line when told to end strictly', () => {
    const seen: string[] = [];
    const reader = new SseReader((event) => seen.push(event));
    reader.push(Buffer.from('event: ping\ndata: {"type":"ping"}\n\nevent: message_stop\ndata: {"type"'));
    expect(reader.endStrictly()).toBe(true);
    expect(seen).toEqual(['ping']);
    expect(reader.endStrictly()).toBe(false);
  });

  it('reports a last event cut off without its blank line only when the stream ends', () => {
    const pieces = [Buffer.from('event: ping\ndata: {"type":"ping"}\n\nevent: message_stop\ndata: {"type"')];
    expect(read(pieces, false).map((e) => e.event)).toEqual(['ping']);
    expect(read([...pieces, Buffer.from(':"message_stop"}')]).at(-1)).toEqual({
      event: 'message_stop',
      data: '{"type":"message_stop"}',
      raw: 'event: message_stop\ndata: {"type":"message_stop"}',
    });
  });

  it('skips events over its size limit, however cut, and reads the ones after them', () => {
    const long = `event: content_block_delta\ndata: ${'x'.repeat(300)}\n\n`;
    const stream = Buffer.from(`${STREAM}${long}${long}event: ping\ndata: {"type":"ping"}\n\n`);
    const names = (pieces: Buffer[]) => {
      const seen: string[] = [];
      const reader = new SseReader((event) => seen.push(event), undefined, 200);
      for (const piece of pieces) reader.push(piece);
      reader.end();
      return seen;
    };
    const expected = [
      ...read([Buffer.from(STREAM)])
        .filter((e) => e.data !== undefined)
        .map((e) => e.event),
      'ping',
    ];
    for (const size of [1, 7, 64, 199, 200, 201, stream.length])
      expect(names(cuts(stream, size))).toEqual(expected);
  });
});
