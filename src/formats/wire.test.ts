// Rewriting wire JSON (a copy with one string replaced that clones only the containers on the way), and what
// of a user turn the user typed.

import { describe, expect, it } from 'vitest';
import { replaceAt, userTypedText } from './wire.js';

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

describe('userTypedText', () => {
  it('leaves out what agents inject, and reads what the user typed while Claude Code was working', () => {
    const queued =
      '<system-reminder>\nThe user sent the following message:\nalso check the retry timeout\n\nwhich one is it?\n\nPlease address this message and continue with your tasks.\n</system-reminder>';
    const content = [
      {
        type: 'text',
        text: '<system-reminder>\nThe TodoWrite tool hasn’t been used recently.\n</system-reminder>',
      },
      { type: 'text', text: '<environment_context>\n  <cwd>/repo</cwd>\n</environment_context>' },
      { type: 'text', text: queued },
      { type: 'image', text: 'not text' },
    ];
    expect(userTypedText(content, ['text'])).toBe('also check the retry timeout\n\nwhich one is it?');
    expect(userTypedText('fix the build', ['text'])).toBe('fix the build');
    expect(userTypedText('<user_instructions>be terse</user_instructions>', ['text'])).toBe('');
  });
});
