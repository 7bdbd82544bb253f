// Codex's code-mode script results, on any text: a printed result opens to exactly the output it carries and
// closes to a line that parses again; a line Codex cut anywhere opens to both ends around its notice, or is
// left alone, and never throws.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openPrintedResult, scriptCommand } from './codex-scripts.js';

const line = (output: string) =>
  JSON.stringify({
    chunk_id: 'ee513d',
    wall_time_seconds: 0.25,
    exit_code: 2,
    original_token_count: 9,
    output,
  });

describe('a printed shell result', () => {
  it('opens to the very output it carries, and closes around another as a line that parses', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (output, other) => {
        const opened = openPrintedResult(line(output));
        expect(opened?.text).toBe(output);
        expect(opened?.fields).toEqual({
          chunk_id: 'ee513d',
          wall_time_seconds: 0.25,
          exit_code: 2,
          original_token_count: 9,
        });
        expect(JSON.parse(opened!.close(other))).toMatchObject({ exit_code: 2, output: other });
      }),
    );
  });

  it('opens a line cut anywhere inside its output to both ends around the notice, or leaves it be', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 2 }), fc.nat(), fc.nat(), (output, a, b) => {
        const whole = line(output);
        const start = whole.indexOf('"output":"') + '"output":"'.length;
        const body = whole.length - 2 - start;
        const from = start + (a % body);
        const to = Math.min(whole.length - 2, from + (b % (body - (from - start) + 1)));
        const cut = `Warning: truncated output (original token count: 90)\nTotal output lines: 1\n\n${whole.slice(0, from)}…80 tokens truncated…${whole.slice(to)}`;
        const opened = openPrintedResult(cut);
        if (!opened) return;
        expect(opened.text).toContain('…80 tokens truncated…');
        const closed = opened.close('shortened');
        expect(closed.startsWith('Warning: truncated output')).toBe(true);
        expect(JSON.parse(closed.slice(closed.indexOf('{')))).toMatchObject({ output: 'shortened' });
      }),
    );
  });

  it('is not found in text that only begins like one', () => {
    for (const text of ['{"output":"a', '{"output":"a"} and more', 'Output:\n{"exit_code":0}', '']) {
      expect(openPrintedResult(text)).toBeUndefined();
    }
  });
});

describe('the command of a script', () => {
  it('is the one literal command it runs, never a guess', () => {
    expect(scriptCommand('text(await tools.exec_command({cmd: "cat a.log"}))')).toBe('cat a.log');
    expect(scriptCommand('text(await tools.exec_command("ls -la"))')).toBe('ls -la');
    expect(scriptCommand('const c = "ls"; text(await tools.exec_command({cmd: c}))')).toBeUndefined();
    expect(scriptCommand('text(ALL_TOOLS)')).toBeUndefined();
  });
});
