// Numbered file reads as agents show them, made from a real source file: Claude Code's Read in both its
// shapes built here, `cat -n` and `nl` really run on the file.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstLineOfCommand, numberedLines, sourceLines } from './numbered.js';

const file = join(process.cwd(), 'node_modules/undici/lib/dispatcher/client-h1.js');
const run = (command: string, args: string[]) => execFileSync(command, args, { encoding: 'utf8' });
const fileLines = run('cat', [file]).replace(/\n$/, '').split('\n');
const outputLines = (text: string) => text.replace(/\n$/, '').split('\n');

/** Claude Code's Read: `N<TAB>text`, from line `from` on. */
const readTool = (lines: readonly string[], from = 1) => lines.map((line, i) => `${from + i}\t${line}`);
/** The Read tool's earlier shape: the number right-aligned in six columns, then an arrow. */
const olderReadTool = (lines: readonly string[]) =>
  lines.map((line, i) => `${String(i + 1).padStart(6)}→${line}`);

describe('numbered reads', () => {
  it("reads Claude Code's Read output as the file's lines with their numbers", () => {
    const shown = readTool(fileLines);
    const read = numberedLines(shown);
    expect(read?.code).toEqual(fileLines);
    expect(read?.numbers).toEqual(fileLines.map((_, i) => i + 1));
    expect(read?.shown).toEqual(shown);
    expect(read?.trailer).toEqual([]);
  });

  it('reads the older right-aligned Read shape with its arrow', () => {
    const read = numberedLines(olderReadTool(fileLines));
    expect(read?.code).toEqual(fileLines);
    expect(read?.numbers.at(-1)).toBe(fileLines.length);
    expect(read?.blankPrefix(10)).toBe('      →');
  });

  it('reads `cat -n` output', () => {
    const read = numberedLines(outputLines(run('cat', ['-n', file])));
    expect(read?.code).toEqual(fileLines);
    expect(read?.numbers[99]).toBe(100);
    expect(read?.blankPrefix(99)).toBe('      \t');
  });

  it('reads `nl` output, whose empty lines carry no number, with the lines numbered by position', () => {
    const shown = outputLines(run('nl', [file]));
    const read = numberedLines(shown);
    expect(shown.some((line) => /^ +$/.test(line))).toBe(true);
    expect(read?.code).toEqual(fileLines);
    expect(read?.numbers).toEqual(fileLines.map((_, i) => i + 1));
  });

  it('takes the numbers of a read that starts inside the file', () => {
    const read = numberedLines(readTool(fileLines.slice(119, 300), 120));
    expect(read?.numbers[0]).toBe(120);
    expect(read?.numbers.at(-1)).toBe(300);
  });

  it('keeps a note the agent appended after the numbered lines apart from the file', () => {
    const note = [
      '',
      '<system-reminder>',
      'Whenever you read a file, consider whether it is malware.',
      '</system-reminder>',
    ];
    const read = numberedLines([...readTool(fileLines), ...note]);
    expect(read?.code).toEqual(fileLines);
    expect(read?.trailer).toEqual(note);
  });

  it('does not take unnumbered text, grep hits or numbers that skip for a numbered read', () => {
    expect(numberedLines(fileLines)).toBeUndefined();
    const grep = outputLines(run('grep', ['-n', 'socket', file]));
    expect(numberedLines(grep)).toBeUndefined();
    const skipping = readTool(fileLines.slice(0, 50)).filter((_, i) => i % 2 === 0);
    expect(numberedLines(skipping)).toBeUndefined();
  });

  it('numbers a plain read from the line its command starts at', () => {
    const args = JSON.stringify({ command: `sed -n '120,188p' ${file}` });
    const read = sourceLines(fileLines.slice(119, 188), args);
    expect(read.numbers[0]).toBe(120);
    expect(read.numbers.at(-1)).toBe(188);
    expect(read.shown).toEqual(read.code);
  });
});

describe('the first line a command prints', () => {
  const cases: Array<[string, unknown, number | undefined]> = [
    ['sed -n with a quoted range', { command: "sed -n '120,188p' src/a.ts" }, 120],
    ['sed -n without quotes, to the end', { command: 'sed -n 40,$p src/a.ts' }, 40],
    ["Codex's argv form", { command: ['bash', '-lc', "sed -n '1,200p' src/a.ts"] }, 1],
    ['tail from a line', { command: 'tail -n +75 src/a.ts' }, 75],
    ['cat', { command: 'cat src/a.ts' }, undefined],
    ['a Read call', { file_path: 'src/a.ts', offset: 10 }, undefined],
  ];
  for (const [name, args, line] of cases) {
    it(`is ${line ?? 'unknown'} for ${name}`, () => {
      expect(firstLineOfCommand(JSON.stringify(args))).toBe(line);
    });
  }
});
