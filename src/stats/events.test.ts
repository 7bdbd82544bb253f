import { describe, expect, it } from 'vitest';
import { toRequestRow } from '../store/rows.js';
import type { RequestRow } from '../store/types.js';
import { StatsEvents } from './events.js';

let nextId = 1;
const requestRow = (path = '/v1/messages') =>
  toRequestRow({ id: nextId++, ts: Date.now(), provider: 'openai', method: 'POST', path, status: 200 })!;

describe('StatsEvents', () => {
  it('tells every subscriber about each row emitted, until it unsubscribes', () => {
    const events = new StatsEvents();
    const first: RequestRow[] = [];
    const second: RequestRow[] = [];
    const unsubscribe = events.subscribe((row) => first.push(row));
    events.subscribe((row) => second.push(row));
    const row = requestRow('/v1/responses');
    events.emit(row);
    unsubscribe();
    events.emit(requestRow());
    expect(first).toEqual([row]);
    expect(second).toHaveLength(2);
  });
});
