// Rewriting wire JSON: a copy with one string replaced that clones only the containers on the way.

import { describe, expect, it } from 'vitest';
import { replaceAt } from './wire.js';

describe('replaceAt', () => {
  it('copies only the containers on the path and keeps key order', () => {
    const root = { a: 1, list: [{ x: 'old', y: 2 }, { z: 3 }], b: { c: 4 } };
    const out = replaceAt(root, ['list', 0, 'x'], 'new') as typeof root;
    expect(JSON.stringify(out)).toBe('{"a":1,"list":[{"x":"new","y":2},{"z":3}],"b":{"c":4}}');
    expect(root.list[0]?.x).toBe('old');
    expect(out.b).toBe(root.b);
    expect(out.list[1]).toBe(root.list[1]);
  });
});
