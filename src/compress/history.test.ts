import { describe, expect, it } from 'vitest';
import { realOutputs, realSourceFile } from '../../test/helpers/real-outputs.js';
import {
  type HistoryOutput,
  type ModelText,
  STALE_REASONS,
  staleOutputs,
  stubFor,
  stubKey,
} from './history.js';
import { MARKER_PATTERN, originalId } from './marker.js';
import { ToolPolicy } from './policy.js';

const policy = new ToolPolicy({ readTools: ['Read'], editTools: ['Edit'] });
const source = realSourceFile().text;
const [testRun, otherRun, ...rest] = realOutputs().filter((item) => item.text.length > 2000);

/** One output per turn, as Claude Code sends them: the model's call, then the user message with its result. */
function session(steps: { tool: string; args: Record<string, unknown>; text: string }[]): HistoryOutput[] {
  return steps.map((step, i) => ({
    text: step.text,
    callId: `toolu_${i}`,
    toolName: step.tool,
    toolArgs: JSON.stringify(step.args),
    userText: 'fix the retries',
    message: 2 + 2 * i,
  }));
}

const read = (text = source) => ({ tool: 'Read', args: { file_path: 'src/client.ts' }, text });
const run = (command: string, text: string) => ({ tool: 'Bash', args: { command }, text });
let fillers = 0;
/** Turns of other commands, each run once. */
const filler = (n: number) =>
  Array.from({ length: n }, () => {
    const i = fillers++;
    return run(`node step-${i}.js`, rest[i % rest.length]!.text);
  });

describe('staleOutputs', () => {
  it('finds a read superseded by a later read of the same file, and keeps the latest', () => {
    const outputs = session([read(), ...filler(2), read(`${source}\n// edited`), ...filler(4)]);
    const stale = staleOutputs(outputs, [], policy);
    expect(stale.map((s) => [s.index, s.reason])).toEqual([[0, 'superseded-read']]);
    expect(stale[0]!.key).toBe(stubKey(outputs[0]!));
  });

  it('finds a read superseded by an edit of the file', () => {
    const edit = { tool: 'Edit', args: { file_path: './src/client.ts', old_string: 'a' }, text: 'ok' };
    const stale = staleOutputs(session([read(), edit, ...filler(4)]), [], policy);
    expect(stale.map((s) => s.reason)).toEqual(['superseded-read']);
  });

  it('finds a read superseded by a patch a script applied (Codex code mode)', () => {
    const script =
      'await tools.apply_patch(`*** Begin Patch\n*** Update File: src/client.ts\n@@\n-a\n+b\n*** End Patch`);';
    const patch = { tool: 'exec', args: { script }, text: 'patched' };
    const stale = staleOutputs(session([read(), patch, ...filler(4)]), [], policy);
    expect(stale.map((s) => s.reason)).toEqual(['superseded-read']);
  });

  it('finds a command output superseded by a later run of the same command', () => {
    const outputs = session([
      run('npm test', testRun!.text),
      ...filler(1),
      run('npm test', otherRun!.text),
      ...filler(4),
    ]);
    expect(staleOutputs(outputs, [], policy).map((s) => [s.index, s.reason])).toEqual([
      [0, 'superseded-command'],
    ]);
  });

  it('finds an output a later one repeats but for a few lines, as a test run again with other flags', () => {
    const lines = testRun!.text.split('\n');
    const again = [...lines.slice(0, -3), 'Tests: 1 failed, 41 passed', ...lines.slice(-2)].join('\n');
    const outputs = session([
      run('npm test', testRun!.text),
      ...filler(1),
      run('npm test -- --bail', again),
      ...filler(4),
    ]);
    expect(staleOutputs(outputs, [], policy).map((s) => [s.index, s.reason])).toEqual([
      [0, 'near-duplicate'],
    ]);
  });

  it('leaves the latest four turns whole, superseded or not', () => {
    const outputs = session([read(), read(), ...filler(2)]);
    expect(staleOutputs(outputs, [], policy)).toEqual([]);
  });

  it('finds large outputs more than ten turns old, and leaves small ones', () => {
    const small = run('git status', 'On branch main\nnothing to commit');
    const outputs = session([run('npm run build', testRun!.text), small, ...filler(10)]);
    expect(staleOutputs(outputs, [], policy).map((s) => [s.index, s.reason])).toEqual([[0, 'old']]);
    expect(staleOutputs(outputs, [], policy, { oldTurns: 20 })).toEqual([]);
  });

  it('keeps an output the model later quoted or named by its call id or original id', () => {
    const outputs = session([read(), read(), ...filler(4)]);
    const line = source
      .split('\n')
      .find((l) => l.trim().length > 60)!
      .trim();
    const later = (text: string): ModelText[] => [{ message: 5, text }];
    expect(staleOutputs(outputs, later(`Look at this line: ${line}`), policy)).toEqual([]);
    expect(staleOutputs(outputs, later('As toolu_0 showed, the client retries.'), policy)).toEqual([]);
    // Another call's id that merely starts alike names nothing.
    expect(staleOutputs(outputs, later('As toolu_05 showed, the client retries.'), policy)).toHaveLength(1);
    expect(staleOutputs(outputs, later(`See ${originalId(source)}.`), policy)).toEqual([]);
    // What the model wrote before the output came is no quote of it.
    expect(staleOutputs(outputs, [{ message: 1, text: line }], policy)).toHaveLength(1);
  });

  it('counts one turn for outputs of parallel calls in consecutive messages', () => {
    // OpenAI Chat puts each result in its own message after the assistant's: both belong to turn 0.
    const outputs = session([read(), ...filler(5)]).map((o, i) => ({
      ...o,
      message: i === 0 ? 2 : 2 + 2 * i,
    }));
    outputs.splice(1, 0, { ...outputs[0]!, callId: 'toolu_x', message: 3 });
    // The two reads of one turn do not supersede each other.
    expect(staleOutputs(outputs, [], policy)).toEqual([]);
  });
});

describe('stubKey', () => {
  it('tells apart identical outputs without call ids at different places, as Gemini sends them', () => {
    const [first] = session([read()]);
    const output = { ...first!, callId: undefined };
    expect(stubKey(output)).not.toBe(stubKey({ ...output, message: output.message + 4 }));
    expect(stubKey(output)).toBe(stubKey({ ...output }));
  });
});

describe('stubFor', () => {
  it('says what the output was, how big, why it was set aside, and carries the retrieve marker', () => {
    const [output] = session([read()]);
    for (const reason of STALE_REASONS) {
      const stub = stubFor(output!, reason);
      expect(stub).toMatch(/^\[headroom: Read of src\/client\.ts \(\d+ lines, \d+ chars\) set aside, /);
      expect(MARKER_PATTERN.exec(stub)?.[2]).toBe(originalId(source));
      expect(stub.length).toBeLessThan(220);
    }
  });
});
