import { describe, expect, it } from 'vitest';
import { headerVariable, mergeHeaderList, mergeHeaderMap } from './headers.js';

const KEY = { 'x-headroom-key': 'k-123' };

describe('mergeHeaderList', () => {
  it('adds the header after the user’s own lines, kept as written', () => {
    expect(mergeHeaderList('X-Team: infra\r\nX-Trace:  on ', KEY, '\n')).toBe(
      'X-Team: infra\nX-Trace:  on \nx-headroom-key: k-123',
    );
    expect(mergeHeaderList(undefined, KEY, '\n')).toBe('x-headroom-key: k-123');
    expect(mergeHeaderList('\n\n', KEY, '\n')).toBe('x-headroom-key: k-123');
  });

  it('replaces a header of the same name in any case, so the agent sends one value', () => {
    expect(mergeHeaderList('X-Headroom-Key: stale\nX-Team: infra', KEY, '\n')).toBe(
      'X-Team: infra\nx-headroom-key: k-123',
    );
  });

  it('splits comma-separated entries where Gemini CLI does, leaving commas inside a value alone', () => {
    expect(mergeHeaderList('X-Meta: {"a":1,"b":2}, x-headroom-key: old, X-Team: infra', KEY, ',')).toBe(
      'X-Meta: {"a":1,"b":2},X-Team: infra,x-headroom-key: k-123',
    );
  });
});

describe('mergeHeaderMap', () => {
  it('keeps the user’s other headers and replaces one of the same name in any case', () => {
    expect(mergeHeaderMap({ 'X-Team': 'infra', 'X-HEADROOM-KEY': 'stale' }, KEY)).toEqual({
      'X-Team': 'infra',
      'x-headroom-key': 'k-123',
    });
    expect(mergeHeaderMap('not a map', KEY)).toEqual(KEY);
  });
});

describe('headerVariable', () => {
  it('names a variable after the header', () => {
    expect(headerVariable('x-headroom-key')).toBe('HEADROOM_HEADER_X_HEADROOM_KEY');
  });
});
