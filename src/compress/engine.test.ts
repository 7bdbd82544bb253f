// The engine on whole conversations: which tool outputs it shortens and which pass whole (edits, file
// reads, small ones), repeats turned into references, and the stats it reports per block.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { claudeCodeBash, codexExec } from '../../test/helpers/agent-cuts.js';
import {
  anthropicConversation,
  openaiChatConversation,
  openaiResponsesInput,
  turnsFor,
} from '../../test/helpers/conversation.js';
import { corpusItem, itWithCorpus } from '../../test/helpers/corpus.js';
import { compress } from '../../test/helpers/engine.js';
import {
  type RealOutput,
  realOutput,
  realOutputs,
  realSourceFile,
  serverLogLines,
} from '../../test/helpers/real-outputs.js';
import { agentToolPolicy } from '../agents/index.js';
import { anthropic } from '../formats/anthropic/index.js';
import { compressMessages } from '../formats/request.js';
import { createEngine } from './engine.js';
import { MARKER_PATTERN, markerIds, originalId } from './marker.js';
import { countTokens } from './tokens.js';

const log = realOutput('log-express-debug');
const json = realOutput('json-npm-query-root-deps');
const grep = realOutput('search-grep-undici-timeout');

type Block = { type: string; [key: string]: unknown };
type Message = { role: string; content: string | Block[] };

function toolResultText(messages: unknown[], index: number): string {
  const message = messages[index] as Message;
  const block = (message.content as Block[])[0] as Block;
  return block.content as string;
}

/**
 * An output and its re-run sent as two tool results: the re-run goes as `delta` and a reference to the first
 * call, its original is kept, and a later turn leaves those bytes as they were (it looks only backward).
 */
function expectRerunAsDelta(item: RealOutput, rerun: string, delta: string[]) {
  const result = compress(anthropicConversation(turnsFor([item, { ...item, text: rerun }])));
  expect(toolResultText(result.messages, 6)).toBe(
    [
      ...delta,
      `[headroom: same as the Bash output of call toolu_0000 earlier in this conversation except the lines above; headroom_retrieve id=${originalId(rerun)}]`,
    ].join('\n'),
  );
  expect(result.stats.blocks[1]?.transform).toBe('dedup');
  expect(result.originals).toContainEqual({ id: originalId(rerun), text: rerun });
  const longer = compress(anthropicConversation(turnsFor([item, { ...item, text: rerun }, log])));
  expect(JSON.stringify(longer.messages.slice(0, 8))).toBe(JSON.stringify(result.messages));
}

describe('compress (Anthropic messages)', () => {
  it('shrinks a Bash log output, keeps its error lines and returns the original for the store', () => {
    const messages = anthropicConversation(turnsFor([log]));
    const result = compress(messages);
    const text = toolResultText(result.messages, 2);
    expect(text.length).toBeLessThan(log.text.length / 3);
    for (const needle of log.needles) expect(text).toContain(needle);
    const id = originalId(log.text);
    expect(text.endsWith(`headroom_retrieve id=${id}]`)).toBe(true);
    expect(result.originals).toEqual([{ id, text: log.text }]);
    const block = result.stats.blocks[0];
    expect(block).toMatchObject({
      kind: 'logs',
      transform: 'logs',
      toolName: 'Bash',
      originalId: id,
      callId: 'toolu_0000',
    });
    expect(block?.tokensAfter).toBeLessThan((block?.tokensBefore ?? 0) / 3);
  });

  it('never mutates its input and leaves user text, assistant turns and images untouched', () => {
    const messages = anthropicConversation(turnsFor([log]));
    const image = {
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' },
    };
    (messages[2] as Message).content = [
      { type: 'tool_result', tool_use_id: 'toolu_0000', content: [{ type: 'text', text: log.text }, image] },
    ];
    const snapshot = structuredClone(messages);
    const result = compress(messages);
    expect(messages).toEqual(snapshot);
    expect(result.messages[0]).toBe(messages[0]);
    expect(result.messages[1]).toBe(messages[1]);
    expect(result.messages[3]).toBe(messages[3]);
    const parts = ((result.messages[2] as Message).content as Block[])[0]?.content as Block[];
    expect(parts[1]).toEqual(image);
    expect(String(parts[0]?.text)).toMatch(MARKER_PATTERN);
  });

  it('never compresses the outputs of editing tools, excluded tools or small outputs', () => {
    const messages = anthropicConversation(turnsFor([log, grep, json]));
    ((messages[1] as Message).content as Block[])[1]!.name = 'Edit';
    const small = anthropicConversation(turnsFor([{ ...log, text: log.text.slice(0, 400) }]));
    const result = compress([...messages, ...small.map((m) => structuredClone(m))], {
      excludeTools: ['grep'],
    });
    expect(result.stats.blocks.map((b) => b.skipped)).toEqual([
      'edit-tool',
      'excluded-tool',
      undefined,
      'below-threshold',
    ]);
    expect(toolResultText(result.messages, 2)).toBe(log.text);
    expect(toolResultText(result.messages, 6)).toBe(grep.text);
  });

  /** A conversation of one turn per call: the named tool run with `input`, returning `text`. */
  function callsOf(calls: { name: string; input: Record<string, unknown>; text: string }[]) {
    const messages = anthropicConversation(turnsFor(calls.map((c) => ({ ...log, text: c.text }))));
    calls.forEach((call, k) => {
      const use = ((messages[1 + 4 * k] as Message).content as Block[])[1]!;
      use.name = call.name;
      use.input = call.input;
    });
    return messages;
  }

  it('compresses a file read by what it holds: a log read with Read, cat or sed -n is a log', () => {
    const result = compress(
      callsOf([
        { name: 'Read', input: { file_path: '/var/log/api.log' }, text: log.text },
        { name: 'Bash', input: { command: 'cat /var/log/api.log' }, text: log.text },
        { name: 'Bash', input: { command: "sed -n '1,4000p' api.log" }, text: log.text },
        { name: 'Bash', input: { command: 'docker logs api --tail 2000' }, text: log.text },
      ]),
      { disableTransforms: ['dedup'] },
    );
    expect(result.stats.blocks.map((b) => b.transform)).toEqual(['logs', 'logs', 'logs', 'logs']);
  });

  it('compresses a numbered read of a log or JSON file as that content, and keeps the numbers of code', () => {
    const numberedOf = (text: string) =>
      text
        .replace(/\n$/, '')
        .split('\n')
        .map((line, i) => `${String(i + 1).padStart(6)}→${line}`)
        .join('\n');
    const reminder =
      '\n\n<system-reminder>\nWhenever you read a file, consider whether it is malware.\n</system-reminder>\n';
    const data = realOutput('json-npm-query-root-deps');
    const source = realSourceFile();
    const reads = [
      numberedOf(log.text) + reminder,
      numberedOf(data.text) + reminder,
      numberedOf(source.text),
    ];
    const result = compress(
      callsOf([
        { name: 'Read', input: { file_path: '/var/log/api.log' }, text: reads[0]! },
        { name: 'Read', input: { file_path: 'fixtures/packages.json' }, text: reads[1]! },
        { name: 'Read', input: { file_path: 'src/client.ts' }, text: reads[2]! },
      ]),
      { disableTransforms: ['dedup'] },
    );
    expect(result.stats.blocks.map((b) => b.transform)).toEqual(['logs', 'json', 'code']);
    const [logRead, jsonRead, codeRead] = [2, 6, 10].map((i) => toolResultText(result.messages, i)) as [
      string,
      string,
      string,
    ];
    // The log's error lines go as the file holds them; the agent's reminder stays at the end.
    expect(logRead).toContain(`\n${serverLogLines().error}\n`);
    expect(logRead.endsWith(reminder)).toBe(true);
    // The JSON parses above its marker.
    const json = jsonRead.slice(0, jsonRead.indexOf('\n[headroom:'));
    expect(() => JSON.parse(json)).not.toThrow();
    // Code keeps the numbers it was shown, so line numbers stay the file's.
    expect(codeRead.split('\n')[0]).toBe(reads[2]!.split('\n')[0]);
    // Every original is the read as the agent got it.
    for (const [i, id] of [logRead, jsonRead, codeRead].map((t) => markerIds(t)[0]).entries()) {
      expect(result.originals.find((o) => o.id === id)?.text).toBe(reads[i]);
    }
  });

  it('points the notes of code a command printed without reading a file at headroom_retrieve, not at a read', () => {
    const source = realSourceFile();
    const result = compress(
      callsOf([{ name: 'Bash', input: { command: 'git show HEAD~3:src/client.ts' }, text: source.text }]),
    );
    expect(result.stats.blocks[0]?.transform).toBe('code');
    const text = toolResultText(result.messages, 2);
    expect(text).toContain('elided (headroom_retrieve with a query for its words)');
    expect(text).not.toMatch(/Read offset=|sed -n/);
  });

  it('keeps whole the body of a read file that an earlier output pointed at, and only after that output', () => {
    const source = realSourceFile();
    const lines = source.text.split('\n');
    const reads = (before: string) =>
      toolResultText(
        compress(
          callsOf([
            { name: 'Bash', input: { command: 'npx tsc --noEmit' }, text: before },
            { name: 'Read', input: { file_path: '/work/app/src/client.ts' }, text: source.text },
          ]),
          { disableTransforms: ['dedup'] },
        ).messages,
        6,
      );
    const unpointed = reads('Found 0 errors.\n');
    // A line of a body the outline elides when nothing points into it, found once in the file.
    const elided = [...unpointed.matchAll(/lines (\d+)-(\d+): body of \w+ elided/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    const line = elided
      .flatMap(([first, last]) => lines.slice((first as number) - 1, last))
      .find(
        (l) => l.trim().length > 30 && lines.indexOf(l) === lines.lastIndexOf(l) && !unpointed.includes(l),
      );
    expect(line).toBeDefined();
    const at = lines.indexOf(line as string) + 1;
    const tsc = `src/client.ts(${at},7): error TS2322: Type 'string' is not assignable to type 'URL'.\n`;
    const pointed = reads(`${tsc}Found 1 error in src/client.ts:${at}\n`);
    const [first, last] = elided.find(([a, b]) => (a as number) <= at && at <= (b as number)) as number[];
    expect(pointed).toContain(lines.slice((first as number) - 1, last).join('\n'));
    expect(pointed).toMatch(MARKER_PATTERN);
  });

  it('passes a small source file read whole, sends a large one to the code transform, and never a file it edited', () => {
    const source = realSourceFile();
    const lines = source.text.split('\n');
    expect(lines.length).toBeGreaterThan(400);
    const small = `${lines.slice(0, 120).join('\n')}\n`;
    const result = compress(
      callsOf([
        { name: 'Read', input: { file_path: 'src/client.ts' }, text: small },
        { name: 'Read', input: { file_path: 'src/core.ts' }, text: source.text },
        {
          name: 'Edit',
          input: { file_path: './src/api.ts', old_string: 'a', new_string: 'b' },
          text: 'The file src/api.ts has been updated.',
        },
        { name: 'Read', input: { file_path: 'src/api.ts' }, text: source.text },
        { name: 'Bash', input: { command: 'cat src/api.ts' }, text: source.text },
      ]),
    );
    const [smallRead, largeRead, edit, editedRead, editedCat] = result.stats.blocks;
    expect(smallRead?.skipped).toBe('file-read');
    expect(largeRead?.kind).toBe('code');
    expect(edit?.skipped).toBe('edit-tool');
    expect(editedRead?.skipped).toBe('edited-file');
    expect(editedCat?.skipped).toBe('edited-file');
    expect(toolResultText(result.messages, 2)).toBe(small);
    expect(toolResultText(result.messages, 14)).toBe(source.text);
  });

  it('counts a patch a Codex code-mode script applies as an edit of the files it names', () => {
    const source = realSourceFile();
    const read = (cmd: string, id: string) => [
      {
        type: 'custom_tool_call',
        call_id: id,
        name: 'exec',
        input: `text(await tools.exec_command({cmd: "${cmd}"}));`,
      },
      { type: 'custom_tool_call_output', call_id: id, output: [{ type: 'input_text', text: source.text }] },
    ];
    const patch = [
      'await tools.apply_patch(`*** Begin Patch',
      '*** Update File: ./src/core.ts',
      '@@',
      '-const a = 1;',
      '+const a = 2;',
      '*** End Patch`);',
      'text("patched");',
    ].join('\n');
    const input = [
      { role: 'user', content: 'fix the retry loop' },
      ...read('cat src/core.ts', 'c1'),
      { type: 'custom_tool_call', call_id: 'c2', name: 'exec', input: patch },
      { type: 'custom_tool_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'patched' }] },
      ...read('cat src/core.ts', 'c3'),
    ];
    const [before, , after] = compress(input, { format: 'openai-responses' }).stats.blocks;
    expect(before?.kind).toBe('code');
    expect(after?.skipped).toBe('edited-file');
    // A script that patches another file leaves this one's reads to the rules for reads.
    const elsewhere = input.map((item) =>
      'input' in item && item.input === patch
        ? { ...item, input: patch.replace('./src/core.ts', 'src/other.ts') }
        : item,
    );
    expect(compress(elsewhere, { format: 'openai-responses' }).stats.blocks[2]?.skipped).not.toBe(
      'edited-file',
    );
  });

  it('takes the text editor tool’s view command for a read and its other commands for edits', () => {
    const result = compress(
      callsOf([
        {
          name: 'str_replace_based_edit_tool',
          input: { command: 'view', path: '/var/log/api.log' },
          text: log.text,
        },
        {
          name: 'str_replace_based_edit_tool',
          input: { command: 'str_replace', path: 'src/a.ts', old_str: 'a', new_str: 'b' },
          text: log.text,
        },
      ]),
      { disableTransforms: ['dedup'] },
    );
    expect(result.stats.blocks.map((b) => b.skipped ?? b.transform)).toEqual(['logs', 'edit-tool']);
  });

  it('passes a small configuration file read whole and compresses a large JSON data file', () => {
    const packages = realOutput('json-npm-query-root-deps');
    // A real package manifest: configuration the model edits, over the size threshold but no data file.
    const config = readFileSync(fileURLToPath(import.meta.resolve('undici/package.json')), 'utf8');
    const result = compress(
      callsOf([
        { name: 'Read', input: { file_path: 'package.json' }, text: config },
        { name: 'Read', input: { file_path: 'fixtures/packages.json' }, text: packages.text },
        { name: 'Read', input: { file_path: 'package-lock.json' }, text: packages.text },
      ]),
      { disableTransforms: ['dedup'] },
    );
    expect(countTokens(config)).toBeGreaterThan(300);
    expect(result.stats.blocks.map((b) => b.skipped ?? b.transform)).toEqual(['file-read', 'json', 'json']);
  });

  it('leaves a block that already carries a headroom marker alone', () => {
    const once = compress(anthropicConversation(turnsFor([log])));
    const twice = compress(once.messages);
    expect(twice.stats.blocks[0]?.skipped).toBe('already-compressed');
    expect(twice.messages).toEqual(once.messages);
  });

  it('turns a repeat of an earlier identical output into a reference to the earlier call', () => {
    const result = compress(anthropicConversation(turnsFor([grep, grep])));
    const second = toolResultText(result.messages, 6);
    expect(second).toBe(
      `[headroom: same as the Grep output of call toolu_0000 earlier in this conversation; headroom_retrieve id=${originalId(grep.text)}]`,
    );
    expect(result.stats.blocks[1]?.transform).toBe('dedup');
    expect(result.stats.blocks[0]?.transform).toBe('search');
  });

  it('turns a re-run that fixed a few errors into the lines that went and a reference', () => {
    const tsc = realOutput('build-tsc-eventsource-lib-es5');
    const lines = tsc.text.split('\n');
    // The re-run after fixing the first error tsc reported and the first one in the last file it names.
    const last = lines.findIndex((l) => l.startsWith(`${lines.at(-2)?.split('(')[0]}(`));
    expect(last).toBeGreaterThan(1);
    const rerun = lines.filter((_, i) => i !== 0 && i !== last).join('\n');
    expectRerunAsDelta(tsc, rerun, [
      '@@ -1,1 +1,0 @@',
      `-${lines[0]}`,
      `@@ -${last + 1},1 +${last},0 @@`,
      `-${lines[last]}`,
    ]);
  });

  itWithCorpus(
    'turns a re-run whose output changed in a few lines into the changed lines and a reference',
    () => {
      const mypy = corpusItem('build-mypy-strict-requests.txt');
      const lines = mypy.text.split('\n');
      const fixed = lines.filter((l) => !l.startsWith('requests/hooks.py:15:'));
      const rerun = fixed.join('\n').replace('Found 188 errors in 15 files', 'Found 187 errors in 15 files');
      expectRerunAsDelta(mypy, rerun, [
        '@@ -1,1 +1,0 @@',
        `-${lines[0]}`,
        `@@ -195,1 +194,1 @@`,
        `-${lines[194]}`,
        `+${lines[194]?.replace('188', '187')}`,
      ]);
    },
  );

  it('compresses an output on its own when it shares little with earlier ones', () => {
    const tsc = realOutput('build-tsc-eventsource-lib-es5');
    const result = compress(anthropicConversation(turnsFor([tsc, log])));
    expect(result.stats.blocks.map((b) => b.transform)).toEqual(['logs', 'logs']);
  });

  it('sends byte-identical earlier turns when the conversation grows by one turn (prompt cache stays warm)', () => {
    const turns = turnsFor(realOutputs(12));
    const shorter = compress(anthropicConversation(turns.slice(0, 11)));
    const longer = compress(
      anthropicConversation([
        ...turns.slice(0, 11),
        { ...turns[0]!, question: 'and the FATAL lines?' },
        turns[11]!,
      ]),
    );
    expect(JSON.stringify(longer.messages.slice(0, shorter.messages.length))).toBe(
      JSON.stringify(shorter.messages),
    );
  });

  it('sends outputs past its work budget as they are, the same on every run and whatever the memo holds', () => {
    const turns = turnsFor([log, grep]);
    // The budget covers the log and not the grep hits after it: a count of characters, not of time.
    const budgetBytes = log.text.length + 10;
    const result = compress(anthropicConversation(turns), { budgetBytes });
    expect(result.stats.blocks.map((b) => b.skipped)).toEqual([undefined, 'budget']);
    expect(result.stats.problems).toMatch(
      /^work budget of \d+ characters spent: 1 tool output\(s\) sent whole$/,
    );
    // A fresh engine with a cold memo, and a machine as slow as it likes, decides the same bytes.
    const fresh = createEngine(agentToolPolicy());
    const again = compressMessages(fresh, anthropic, anthropicConversation(turns), { budgetBytes });
    expect(JSON.stringify(again.messages)).toBe(JSON.stringify(result.messages));
    // A turn more leaves the earlier bytes as they were.
    const longer = compress(anthropicConversation([...turns, turnsFor([log])[0]!]), { budgetBytes });
    expect(JSON.stringify(longer.messages.slice(0, result.messages.length))).toBe(
      JSON.stringify(result.messages),
    );
  });

  it('sends one output past the per-block cap as it is, and still compresses the others', () => {
    const turns = turnsFor([log, grep]);
    // The cap falls between the two outputs' sizes: the bigger goes whole, the other is worked on.
    const [small, big] = [log, grep].sort((a, b) => a.text.length - b.text.length);
    const maxBlockBytes = small!.text.length + 1;
    const result = compress(anthropicConversation(turns), { maxBlockBytes });
    const byText = new Map(result.stats.blocks.map((b, i) => [turns[i]!.item.text, b]));
    expect(byText.get(big!.text)?.skipped).toBe('too-large');
    expect(byText.get(small!.text)?.transform).toBeDefined();
    expect(result.stats.problems).toMatch(
      new RegExp(`^1 tool output\\(s\\) over ${maxBlockBytes} characters each sent whole$`),
    );
  });

  it('sends the outputs left when its time fail-safe trips as they are, and reports them to be kept so', () => {
    const turns = turnsFor([log, grep]).map((t) => ({ ...t, question: `${t.question} (fail-safe run)` }));
    const result = compress(anthropicConversation(turns), { budgetMs: -1 });
    expect(result.stats.blocks.map((b) => b.skipped)).toEqual(['guard', 'guard']);
    expect(result.stats.guarded).toHaveLength(2);
    expect(result.originals).toEqual([]);
    expect(result.stats.problems).toMatch(/took over -1 ms: 2 tool output\(s\) sent whole, and kept so/);
    // Another engine (a restarted proxy) told the keys sends the same bytes, with all the time it wants.
    const fresh = createEngine(agentToolPolicy());
    const sendWhole = new Set(result.stats.guarded);
    const restarted = compressMessages(fresh, anthropic, anthropicConversation(turns), { sendWhole });
    expect(restarted.messages).toEqual(result.messages);
    expect(restarted.stats.guarded).toEqual([]);
  });
});

describe('compress (OpenAI shapes)', () => {
  it('compresses role "tool" messages of a Chat Completions conversation', () => {
    const messages = openaiChatConversation(turnsFor([log]));
    const result = compress(messages);
    const tool = result.messages[3] as { role: string; content: string };
    expect(tool.role).toBe('tool');
    expect(tool.content.length).toBeLessThan(log.text.length / 3);
    expect(result.stats.blocks[0]?.toolName).toBe('bash');
    expect(result.messages[0]).toBe(messages[0]);
  });

  it('compresses Responses function_call_output items and re-closes Codex JSON envelopes', () => {
    const input = openaiResponsesInput(turnsFor([log, grep]));
    const envelope = { output: grep.text, metadata: { exit_code: 0, duration_seconds: 0.2 } };
    (input[6] as { output: string }).output = JSON.stringify(envelope);
    const result = compress(input);
    expect(result.stats.blocks.map((b) => b.transform)).toEqual(['logs', 'search']);
    const wrapped = JSON.parse((result.messages[6] as { output: string }).output) as typeof envelope;
    expect(wrapped.metadata).toEqual(envelope.metadata);
    expect(wrapped.output).toMatch(MARKER_PATTERN);
    expect(wrapped.output.length).toBeLessThan(grep.text.length);
  });

  it('compresses the output under Codex’s exec_command header as what it is, the header kept as written', () => {
    const input = openaiResponsesInput(turnsFor([json]));
    const header =
      'Chunk ID: 0c1d2e\nWall time: 0.0930 seconds\nProcess exited with code 0\nOriginal token count: 9000\nOutput:\n';
    (input[2] as { output: string }).output = header + json.text;
    const result = compress(input);
    expect(result.stats.blocks.map((b) => b.transform)).toEqual(['json']);
    const sent = (result.messages[2] as { output: string }).output;
    expect(sent.startsWith(header)).toBe(true);
    const body = sent.slice(header.length);
    expect(body.length).toBeLessThan(json.text.length / 2);
    expect(() => JSON.parse(body.slice(0, body.lastIndexOf('\n[headroom:')))).not.toThrow();
  });
});

describe('compress (outputs an agent cut short)', () => {
  it('compresses a Bash result of JSON that Claude Code cut at 30,000 characters as JSON, its notice last', () => {
    const cut = claudeCodeBash(json.text);
    const result = compress(anthropicConversation(turnsFor([{ ...json, text: cut }])));
    const [block] = result.stats.blocks;
    expect([block?.toolName, block?.kind, block?.transform]).toEqual(['Bash', 'json', 'json']);
    expect(block?.tokensAfter).toBeLessThan((block?.tokensBefore ?? 0) / 3);
    const lines = toolResultText(result.messages, 2).split('\n');
    expect(lines.at(-2)).toBe(cut.split('\n').at(-1));
    expect(lines.at(-3)).toMatch(/^\(the agent cut the output here: the JSON stops .+\)$/);
    expect(lines.at(-1)).toMatch(MARKER_PATTERN);
  });

  it('compresses JSON that Codex cut to both ends as JSON, under its exec_command header as written', () => {
    const input = openaiResponsesInput(turnsFor([json]));
    input[1] = {
      type: 'function_call',
      call_id: 'call_0000',
      name: 'exec_command',
      arguments: '{"cmd":"npm query *"}',
    };
    const raw = codexExec(json.text);
    (input[2] as { output: string }).output = raw;
    const result = compress(input);
    expect(result.stats.blocks.map((b) => [b.kind, b.transform])).toEqual([['json', 'json']]);
    const sent = (result.messages[2] as { output: string }).output;
    const header = raw.slice(0, raw.indexOf('\n\n') + 2);
    expect(header).toMatch(/\nTotal output lines: \d+\n\n$/);
    expect(sent.startsWith(header)).toBe(true);
    expect(sent.split('\n')).toContain(/…\d+ tokens truncated…/.exec(raw)?.[0]);
    expect(sent.length).toBeLessThan(raw.length / 3);
  });
});
