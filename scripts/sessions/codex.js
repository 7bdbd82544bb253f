// A Codex CLI 0.169.0 session (`codex exec -m gpt-5.5`) in the shape the pinned agent sends it, checked against
// a captured run: `POST /v1/responses`, streamed, no `instructions` (the agent's instructions are developer
// messages at the head of `input`), ten tools of which the model reads everything through `exec_command`
// (`{"cmd": …}`: cat, sed -n, rg, ls, journalctl…). Each result is plain text, not a JSON envelope:
// `Chunk ID`, `Wall time`, `Process exited with code N`, `Original token count: ⌈bytes/4⌉`, `Output:`, then
// the output; past 10,000 tokens (40,000 bytes) the agent keeps its first and last 20,000 bytes around
// `…N tokens truncated…` after a warning and the line count. Reasoning items come back encrypted and are
// resent with the history; edits go through the free-form `apply_patch` tool.

import { createHash } from 'node:crypto';
import {
  CODE_MODE_EXEC,
  DEVELOPER_CONTEXT,
  DEVELOPER_INSTRUCTIONS,
  PATCH_RESULT,
  TOOLS,
} from './codex-prompt.js';

const MODEL = 'gpt-5.5';
const MAX_OUTPUT_TOKENS = 10_000;
const CWD = '/tmp/corpus-build';

const hash = (seed) => createHash('sha256').update(seed).digest();

/** A version-7-looking UUID derived from `seed`, as Codex gives its items and sessions. */
function uuid(seed) {
  const hex = hash(seed).toString('hex');
  return `01a2${hex.slice(0, 4)}-${hex.slice(4, 8)}-7${hex.slice(8, 11)}-8${hex.slice(11, 14)}-${hex.slice(14, 26)}`;
}

/** Characters from one end of `text` that fit in `bytes` of UTF-8, never splitting a character. */
function fitBytes(text, bytes, fromEnd) {
  const chars = [...text];
  if (fromEnd) chars.reverse();
  const kept = [];
  let size = 0;
  for (const char of chars) {
    size += Buffer.byteLength(char);
    if (size > bytes) break;
    kept.push(char);
  }
  if (fromEnd) kept.reverse();
  return kept.join('');
}

/**
 * The item the model's call of `call` is in: a free-form tool's input as written (`apply_patch`), in code
 * mode a command run by an `exec` script, else a function call with JSON arguments.
 */
function callItem(call, turn, id, codeMode) {
  if (call.custom || codeMode) {
    const input = call.custom
      ? call.input
      : `const r = await tools.exec_command(${JSON.stringify(call.input)});\ntext(r);`;
    const name = call.custom ? call.name : 'exec';
    return { id: `ctc_${turn}`, type: 'custom_tool_call', status: 'completed', call_id: id, name, input };
  }
  const args = JSON.stringify(call.input);
  return {
    id: `fc_${turn}`,
    type: 'function_call',
    status: 'completed',
    arguments: args,
    call_id: id,
    name: call.name,
  };
}

const lineCount = (text) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

/** `exec_command`'s answer for a command that printed `output` and exited with `exitCode`. */
export function execResult(output, { exitCode = 0, wallTime = 0, seed }) {
  const tokens = Math.ceil(Buffer.byteLength(output) / 4);
  const header =
    `Chunk ID: ${hash(seed).toString('hex').slice(0, 6)}\nWall time: ${wallTime.toFixed(4)} seconds\n` +
    `Process exited with code ${exitCode}\nOriginal token count: ${tokens}\nOutput:\n`;
  if (tokens <= MAX_OUTPUT_TOKENS) return header + output;
  const half = (MAX_OUTPUT_TOKENS * 4) / 2;
  return (
    `${header}Warning: truncated output (original token count: ${tokens})\nTotal output lines: ${lineCount(output)}\n\n` +
    `${fitBytes(output, half, false)}…${tokens - MAX_OUTPUT_TOKENS} tokens truncated…${fitBytes(output, half, true)}`
  );
}

/**
 * What a code-mode `exec` script that ran one command and printed its result (`text(r)`) answers: a status
 * part, then the shell result as one line of JSON, which Codex cuts in the middle past its budget as it cuts
 * any output (`Warning: truncated output …`, both ends kept around `…N tokens truncated…`).
 */
export function scriptResult(output, { exitCode = 0, wallTime = 0, seed }) {
  const line = JSON.stringify({
    chunk_id: hash(seed).toString('hex').slice(0, 6),
    wall_time_seconds: wallTime,
    exit_code: exitCode,
    original_token_count: Math.ceil(Buffer.byteLength(output) / 4),
    output,
  });
  const tokens = Math.ceil(Buffer.byteLength(line) / 4);
  const half = (MAX_OUTPUT_TOKENS * 4) / 2;
  const printed =
    tokens <= MAX_OUTPUT_TOKENS
      ? line
      : `Warning: truncated output (original token count: ${tokens})\nTotal output lines: 1\n\n` +
        `${fitBytes(line, half, false)}…${tokens - MAX_OUTPUT_TOKENS} tokens truncated…${fitBytes(line, half, true)}`;
  return [
    { type: 'input_text', text: `Script completed\nWall time ${wallTime.toFixed(1)} seconds\nOutput:\n` },
    { type: 'input_text', text: printed },
  ];
}

/** The text a model reads in a printed shell result: its output unescaped (each side of a cut apart). */
function readScriptResult(parts) {
  const printed = parts.map((part) => part.text).join('\n');
  const at = printed.indexOf('"output":"');
  if (at < 0 || !printed.endsWith('"}')) return printed;
  const body = printed.slice(at + '"output":"'.length, -2);
  const read = (piece) => {
    for (const candidate of [piece, piece.replace(/\\+$/, ''), piece.slice(1)]) {
      try {
        return JSON.parse(`"${candidate}"`);
      } catch {}
    }
    return piece;
  };
  const cut = /…\d+ tokens truncated…/.exec(body);
  return cut
    ? `${read(body.slice(0, cut.index))}${cut[0]}${read(body.slice(cut.index + cut[0].length))}`
    : read(body);
}

/** Lines `from` to `to` (1-based, inclusive) of a file, as `sed -n 'from,top'` prints them. */
const lines = (text, from, to) =>
  `${text
    .split('\n')
    .slice(from - 1, to)
    .join('\n')}\n`;

function steps(corpus) {
  const exec = (name, cmd, { exitCode = 0, wallTime = 0.0312, part } = {}) => {
    const item = corpus(name);
    return {
      item,
      call: { name: 'exec_command', input: { cmd } },
      output: part ? part(item.text) : item.text,
      exitCode,
      wallTime,
    };
  };
  const regex = '/usr/share/cargo/registry/regex-1.7.1';
  const requests = '/usr/lib/python3/dist-packages/requests';
  const cobra = '/usr/share/gocode/src/github.com/spf13/cobra';
  const cordova = 'npm/cordova-android-12.0.1/package/framework/src';
  const fixtures = 'octokit-fixtures/scenarios/api.github.com';
  const range = (name, path, from, to, options) =>
    exec(name, `sed -n '${from},${to}p' ${path}`, { ...options, part: (t) => lines(t, from, to) });
  const unicode = corpus('code-regex-re_unicode.rs').text.split('\n');
  const target = unicode.findIndex((line) => line.startsWith('pub fn escape(text: &str) -> String {'));
  return [
    exec('shell-ls-laR-regex-crate.txt', `ls -laR ${regex}`),
    exec('search-regex-unwrap.txt', `rg -n 'unwrap\\(\\)' ${regex}/src`, { wallTime: 0.0521 }),
    range('code-regex-re_unicode.rs', `${regex}/src/re_unicode.rs`, 1, 250),
    range('code-regex-re_unicode.rs', `${regex}/src/re_unicode.rs`, 520, 640),
    exec('search-requests-timeout.txt', `rg -n --glob '*.py' timeout ${requests}`, { wallTime: 0.0413 }),
    range('code-requests-sessions.py', `${requests}/sessions.py`, 170, 450),
    exec(
      'build-javac-cordova-CordovaWebViewImpl.txt',
      `cd ${cordova} && javac -d /tmp/jout org/apache/cordova/CordovaWebViewImpl.java`,
      {
        exitCode: 1,
        wallTime: 1.8834,
      },
    ),
    range(
      'code-cordova-CordovaWebViewImpl.java',
      `${cordova}/org/apache/cordova/CordovaWebViewImpl.java`,
      120,
      260,
    ),
    exec('log-android-2k.log', 'cat logs/Android_2k.log'),
    exec('log-linux-2k.log', 'journalctl -k --no-pager -n 2000', { wallTime: 0.2217 }),
    exec('log-zookeeper-2k.log', 'kubectl logs statefulset/zookeeper --tail=2000', { wallTime: 0.9632 }),
    exec('json-octokit-branch-protection.json', `jq . ${fixtures}/branch-protection/normalized-fixture.json`),
    exec('json-octokit-labels.json', `cat ${fixtures}/labels/normalized-fixture.json`),
    exec('json-octokit-get-repository.json', `jq . ${fixtures}/get-repository/normalized-fixture.json`),
    exec('shell-dpkg-l.txt', 'dpkg -l', { wallTime: 0.1406 }),
    exec('text-requests-changelog.txt', 'zcat /usr/share/doc/python3-requests/changelog.gz'),
    exec('text-man-curl.txt', 'man -P cat curl', { wallTime: 0.3351 }),
    exec('search-cobra-command-methods.txt', `rg -n 'func \\(c \\*Command\\)' ${cobra}`, {
      wallTime: 0.0388,
    }),
    range('code-cobra-completions.go', `${cobra}/completions.go`, 1, 120),
    {
      call: {
        name: 'apply_patch',
        custom: true,
        input:
          `*** Begin Patch\n*** Update File: ${regex}/src/re_unicode.rs\n@@\n` +
          `-${unicode[target]}\n+${unicode[target]}\n+    // Escapes every metacharacter, so the result matches text literally.\n*** End Patch\n`,
      },
      output: PATCH_RESULT(`${regex}/src/re_unicode.rs`),
    },
  ];
}

/** A deterministic stand-in for an encrypted reasoning item of a few hundred tokens. */
function encryptedReasoning(seed) {
  let blob = '';
  for (let i = 0; blob.length < 640; i++) blob += hash(`${seed}:${i}`).toString('base64');
  return `gAAAAAB${blob.slice(0, 640)}`;
}

/** The exec tool of code mode, as this benchmark words it, and the agent's other tools nested in its namespace. */
const CODE_MODE_TOOLS = [
  {
    type: 'namespace',
    name: 'functions',
    description: '',
    tools: [
      {
        type: 'custom',
        name: 'exec',
        description: CODE_MODE_EXEC,
        format: { type: 'grammar', syntax: 'lark', definition: 'start: SOURCE\nSOURCE: /[\\s\\S]+/\n' },
      },
      ...TOOLS,
    ],
  },
];

/**
 * A Codex session. `codeMode`: in the shape Codex's default model gets (the tools in an `additional_tools`
 * input item and no `tools`; every command run by an `exec` script that prints its result), priced as gpt-5.5.
 */
export function codexSession(corpus, { questions = false, codeMode = false } = {}) {
  const list = steps(corpus);
  const request = 'find what is broken and fix it';
  const thread = uuid('codex:thread');
  const message = (role, seed, texts) => ({
    type: 'message',
    id: `msg_${uuid(seed)}`,
    role,
    content: texts.map((text) => ({ type: 'input_text', text })),
  });
  const callId = (index) => `call_${hash(`codex:call:${index}`).toString('base64url').slice(0, 24)}`;
  return {
    name: codeMode ? 'Codex CLI 0.169.0, code mode' : 'Codex CLI 0.169.0',
    provider: 'openai',
    model: MODEL,
    path: '/v1/responses',
    headers: {
      authorization: 'Bearer sk-bench-0000',
      originator: 'codex_exec',
      'user-agent': 'codex_exec/0.169.0 (Debian 12.0.0; x86_64) xterm (codex_exec; 0.169.0)',
      accept: 'text/event-stream',
      'content-type': 'application/json',
      'session-id': thread,
    },
    steps: list,
    request,

    start: () => ({
      input: [
        ...(codeMode
          ? [
              {
                type: 'additional_tools',
                id: `at_${uuid('codex:tools')}`,
                role: 'developer',
                tools: CODE_MODE_TOOLS,
              },
            ]
          : []),
        message('developer', 'codex:instructions', [DEVELOPER_INSTRUCTIONS]),
        message('developer', 'codex:context', DEVELOPER_CONTEXT),
        message('user', 'codex:environment', [
          `<environment_context>\n  <cwd>${CWD}</cwd>\n  <shell>bash</shell>\n  <current_date>2026-11-24</current_date>\n  <timezone>Etc/UTC</timezone>\n` +
            `  <filesystem><workspace_roots><root>${CWD}</root></workspace_roots><permission_profile type="managed"><file_system type="restricted"><entry access="read"><special>:root</special></entry></file_system></permission_profile></filesystem>\n</environment_context>`,
        ]),
        message('user', 'codex:request', [request]),
      ],
    }),

    body(state) {
      return {
        model: MODEL,
        stream: true,
        input: state.input,
        ...(codeMode ? {} : { tools: TOOLS }),
        tool_choice: 'auto',
        parallel_tool_calls: true,
        reasoning: { effort: 'medium' },
        store: false,
        include: ['reasoning.encrypted_content'],
        prompt_cache_key: thread,
        text: { verbosity: 'low' },
        client_metadata: { thread_id: thread, session_id: thread, turn_id: uuid('codex:turn') },
      };
    },

    /** Append the model's output items (as Codex resends them) and the result of the call it made. */
    append(state, output, index) {
      const step = list[index];
      for (const item of output) {
        if (item.type === 'reasoning') {
          state.input.push({
            type: 'reasoning',
            id: item.id,
            summary: item.summary,
            content: null,
            encrypted_content: item.encrypted_content,
          });
        } else if (item.type === 'function_call') {
          const { id, name, arguments: args, call_id } = item;
          state.input.push({
            type: 'function_call',
            status: 'completed',
            id,
            name,
            arguments: args,
            call_id,
          });
        } else if (item.type === 'custom_tool_call') {
          const { id, call_id, name, input } = item;
          state.input.push({ type: 'custom_tool_call', id, status: 'completed', call_id, name, input });
        }
      }
      const call = output.find((item) => item.type === 'function_call' || item.type === 'custom_tool_call');
      if (step.call.custom) {
        state.input.push({
          type: 'custom_tool_call_output',
          id: `ctco_${uuid(`codex:output:${index}`)}`,
          call_id: call.call_id,
          output: step.output,
        });
      } else if (codeMode) {
        state.input.push({
          type: 'custom_tool_call_output',
          id: `ctco_${uuid(`codex:output:${index}`)}`,
          call_id: call.call_id,
          output: scriptResult(step.output, {
            exitCode: step.exitCode,
            wallTime: step.wallTime,
            seed: `codex:${index}`,
          }),
        });
      } else {
        state.input.push({
          type: 'function_call_output',
          id: `fco_${uuid(`codex:output:${index}`)}`,
          call_id: call.call_id,
          output: execResult(step.output, {
            exitCode: step.exitCode,
            wallTime: step.wallTime,
            seed: `codex:${index}`,
          }),
        });
      }
      // A message typed while the agent works is sent with the next request.
      if (questions && step.item)
        state.input.push(message('user', `codex:question:${index}`, [step.item.question]));
    },

    resultsIn(body) {
      return body.input.filter(
        (item) => item.type === 'function_call_output' || item.type === 'custom_tool_call_output',
      ).length;
    },

    outputIn(body, index) {
      const id = callId(index);
      const found = body.input.find((item) => item.type.endsWith('_call_output') && item.call_id === id);
      if (Array.isArray(found?.output)) return readScriptResult(found.output);
      return typeof found?.output === 'string' ? found.output : undefined;
    },

    reply(index) {
      const step = list[index];
      const turn = uuid(`codex:response:${index}`).replaceAll('-', '');
      if (!step) {
        return [
          {
            id: `msg_${turn}`,
            type: 'message',
            status: 'completed',
            role: 'assistant',
            content: [
              {
                type: 'output_text',
                text: 'Fixed the escape helper; the remaining failures come from the environment (missing stubs and SDK classes).',
                annotations: [],
              },
            ],
          },
        ];
      }
      const reasoning = {
        id: `rs_${turn}`,
        type: 'reasoning',
        summary: [],
        encrypted_content: encryptedReasoning(`codex:${index}`),
      };
      return [reasoning, callItem(step.call, turn, callId(index), codeMode)];
    },

    events(output, usage, outputTokens) {
      const response = {
        id: `resp_${hash(JSON.stringify(output)).toString('hex').slice(0, 40)}`,
        object: 'response',
        created_at: 1_764_000_000,
        status: 'completed',
        model: MODEL,
        output,
        usage: {
          input_tokens: usage.total,
          input_tokens_details: { cached_tokens: usage.cacheRead },
          output_tokens: outputTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: usage.total + outputTokens,
        },
      };
      const events = [];
      const push = (type, data) => events.push({ type, sequence_number: events.length, ...data });
      push('response.created', { response: { ...response, status: 'in_progress', output: [], usage: null } });
      push('response.in_progress', {
        response: { ...response, status: 'in_progress', output: [], usage: null },
      });
      output.forEach((item, output_index) => {
        push('response.output_item.added', { output_index, item: { ...item, status: 'in_progress' } });
        if (item.type === 'function_call') {
          push('response.function_call_arguments.delta', {
            item_id: item.id,
            output_index,
            delta: item.arguments,
          });
          push('response.function_call_arguments.done', {
            item_id: item.id,
            output_index,
            arguments: item.arguments,
          });
        } else if (item.type === 'custom_tool_call') {
          push('response.custom_tool_call_input.delta', {
            item_id: item.id,
            output_index,
            delta: item.input,
          });
          push('response.custom_tool_call_input.done', { item_id: item.id, output_index, input: item.input });
        }
        push('response.output_item.done', { output_index, item });
      });
      push('response.completed', { response });
      return events.map((data) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`).join('');
    },

    readReply(stream) {
      for (const chunk of stream.split('\n\n')) {
        const data = chunk.split('\n').find((line) => line.startsWith('data: '));
        if (!data) continue;
        const event = JSON.parse(data.slice(6));
        if (event.type === 'response.completed') return event.response.output;
      }
      throw new Error('the answer ended without response.completed');
    },
  };
}
