import { describe, expect, it } from 'vitest';
import { initialViewState, onKey } from './stats-state.js';

const ids = { sessions: [], turns: [] };

describe('typing a filter', () => {
  it('takes several Backspaces that arrive together as that many, and leaves other control characters out', () => {
    let state = onKey(initialViewState, { input: '/' }, ids).state;
    state = onKey(state, { input: 'webshop' }, ids).state;
    expect(state.draft).toBe('webshop');
    state = onKey(state, { input: '\x7f\x7f\x7f' }, ids).state;
    expect(state.draft).toBe('webs');
    state = onKey(state, { input: '\b\x1bx\x00y' }, ids).state;
    expect(state.draft).toBe('webxy');
    state = onKey(state, { input: '', return: true }, ids).state;
    expect(state.filter).toBe('webxy');
  });
});
