// A Claude Code 2.1.0 session in the shape the pinned agent sends it (checked against its bundled cli.js and
// a captured `claude -p` run): `POST /v1/messages?beta=true`, streamed, system as two text blocks and 17 tools,
// every request resending the whole history with `cache_control` on both system blocks and on the last block
// of the last two messages (tools carry none). Tool results are built the way the agent builds them:
// Read numbers lines as `%6d→text` and appends a reminder; Bash trims blank lines and cuts stdout at 30,000
// characters with `... [N lines truncated] ...`; a failing command is an error result, `Exit code N` first,
// cut to its first and last 5,000 characters past 10,000; Grep content is cut at 20,000 characters;
// WebFetch hands back a page whole only for markdown from its list of documentation hosts (else a
// summary by a second model), which is the case replayed here. After every command that succeeded, the
// agent also asks Haiku which files the command showed, sending the whole uncut output as user text.

import { createHash } from 'node:crypto';
import {
  EDIT_RESULT,
  PATH_EXTRACTION,
  QUEUED_MESSAGE,
  READ_REMINDER,
  SYSTEM_IDENTITY,
  SYSTEM_PROMPT,
  TODO_RESULT,
  TOOLS,
} from './claude-code-prompt.js';

const MODEL = 'claude-sonnet-4-5-20250929';
const SIDE_MODEL = 'claude-haiku-4-5-20251001';
const USER_ID = `user_${createHash('sha256').update('bench-user').digest('hex')}_account__session_bench`;
const HEADERS = {
  'x-api-key': 'sk-ant-bench-0000',
  'anthropic-version': '2023-06-01',
  'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14',
  'x-app': 'cli',
  'user-agent': 'claude-cli/2.1.0 (external, sdk-cli)',
  'content-type': 'application/json',
};
const BASH_MAX_OUTPUT = 30_000;
const ERROR_MAX_OUTPUT = 10_000;
const GREP_MAX_OUTPUT = 20_000;
const EPHEMERAL = { type: 'ephemeral' };

/** `toolu_01` and 22 letters and digits, derived from `seed` so every run sends the same ids. */
function toolUseId(seed) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = createHash('sha256').update(seed).digest();
  let id = 'toolu_01';
  for (let i = 0; i < 22; i++) id += alphabet[bytes[i] % alphabet.length];
  return id;
}

/** Read's result: every line numbered (a final newline gives an empty last line), then the reminder. */
export function readResult(text) {
  const numbered = text
    .split(/\r?\n/)
    .map((line, i) => {
      const n = String(i + 1);
      return `${n.length >= 6 ? n : n.padStart(6, ' ')}→${line}`;
    })
    .join('\n');
  return numbered + READ_REMINDER;
}

/** Drop blank lines at both ends, as the Bash tool does before cutting. */
function trimBlankLines(text) {
  const lines = text.split('\n');
  let start = 0;
  while (start < lines.length && lines[start].trim() === '') start++;
  let end = lines.length - 1;
  while (end >= start && lines[end].trim() === '') end--;
  return lines.slice(start, end + 1).join('\n');
}

function cutAt(text, max) {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n\n... [${text.slice(max).split('\n').length} lines truncated] ...`;
}

/** A successful command's output as the model gets it. */
export function bashResult(output) {
  return cutAt(trimBlankLines(output.trimEnd()), BASH_MAX_OUTPUT)
    .replace(/^(\s*\n)+/, '')
    .trimEnd();
}

/** A failing command's result: the exit code, then its output, cut to both ends past 10,000 characters. */
export function bashError(output, exitCode) {
  const text = [`Exit code ${exitCode}`, output].filter(Boolean).join('\n').trim();
  if (text.length <= ERROR_MAX_OUTPUT) return text;
  const half = ERROR_MAX_OUTPUT / 2;
  return `${text.slice(0, half)}\n\n... [${text.length - ERROR_MAX_OUTPUT} characters truncated] ...\n\n${text.slice(-half)}`;
}

/** Grep's content mode: ripgrep's lines as they came, cut at 20,000 characters. */
export function grepResult(output) {
  return cutAt(output.replace(/\n+$/, ''), GREP_MAX_OUTPUT);
}

/** The snippet an edit result shows: four lines either side of the change, numbered like Read. */
function editResult(filePath, original, oldString, newString) {
  const edited = original.replace(oldString, newString);
  const line = original.split(oldString)[0].split(/\r?\n/).length - 1;
  const from = Math.max(0, line - 4);
  const to = line + 4 + newString.split(/\r?\n/).length;
  const snippet = edited.split(/\r?\n/).slice(from, to);
  const numbered = snippet.map((text, i) => `${String(from + i + 1).padStart(6, ' ')}→${text}`).join('\n');
  return EDIT_RESULT(filePath) + numbered;
}

/**
 * The twenty tool calls: what the model asks for, what the agent answers and which corpus item that is.
 * `item` is read from the corpus; `result` builds the tool_result block the agent sends back.
 */
function steps(item) {
  const bash = (name, command, description, exitCode = 0) => ({
    item: item(name),
    call: { name: 'Bash', input: { command, description } },
    result: (id, text) =>
      exitCode === 0
        ? { tool_use_id: id, type: 'tool_result', content: bashResult(text), is_error: false }
        : { type: 'tool_result', content: bashError(text, exitCode), is_error: true, tool_use_id: id },
    // After a command that succeeded, the agent asks a small model which files it showed, sending all
    // of stdout (uncut) and stderr.
    paths: exitCode === 0 ? (text) => `Command: ${command}\nOutput: ${text.trimEnd()}\n\n` : undefined,
  });
  const read = (name, filePath) => ({
    item: item(name),
    call: { name: 'Read', input: { file_path: filePath } },
    result: (id, text) => ({ tool_use_id: id, type: 'tool_result', content: readResult(text) }),
  });
  const grep = (name, input) => ({
    item: item(name),
    call: { name: 'Grep', input: { ...input, output_mode: 'content' } },
    result: (id, text) => ({ tool_use_id: id, type: 'tool_result', content: grepResult(text) }),
  });
  const rxjs = '/tmp/corpus-build/npm/rxjs-7.8.1/package';
  const cordova = '/tmp/corpus-build/npm/cordova-android-12.0.1/package/framework/src';
  /** An Edit that changes `from` to `to` on the line of `file` holding `from`, after it was read. */
  const edit = (say, name, filePath, from, to) => {
    const original = item(name).text;
    const line = original.split('\n').find((l) => l.includes(from));
    const [oldString, newString] = [line, line.replace(from, to)];
    return {
      say,
      call: { name: 'Edit', input: { file_path: filePath, old_string: oldString, new_string: newString } },
      result: (id) => ({
        tool_use_id: id,
        type: 'tool_result',
        content: editResult(filePath, original, oldString, newString),
      }),
    };
  };
  return [
    {
      say: "I'll start by planning the investigation.",
      call: {
        name: 'TodoWrite',
        input: {
          todos: [
            {
              content: 'Reproduce the build failures',
              status: 'in_progress',
              activeForm: 'Reproducing the build failures',
            },
            {
              content: 'Read the failing sources',
              status: 'pending',
              activeForm: 'Reading the failing sources',
            },
            {
              content: 'Check the service logs and dependencies',
              status: 'pending',
              activeForm: 'Checking the service logs and dependencies',
            },
            {
              content: 'Fix the root causes and verify',
              status: 'pending',
              activeForm: 'Fixing the root causes and verifying',
            },
          ],
        },
      },
      result: (id) => ({ tool_use_id: id, type: 'tool_result', content: TODO_RESULT }),
    },
    {
      say: 'Let me run the type check on the ajax module first.',
      ...bash(
        'build-tsc-rxjs-ajax-lib-es5.txt',
        `cd ${rxjs} && npx tsc --strict --noEmit --target es5 --lib es5 src/internal/ajax/ajax.ts`,
        'Type-check the ajax module against ES5',
        2,
      ),
    },
    {
      say: 'The errors point into ajax.ts. Let me read it.',
      ...read('code-rxjs-ajax.ts', `${rxjs}/src/internal/ajax/ajax.ts`),
    },
    {
      say: 'Now the Python client: where does it handle timeouts?',
      ...grep('search-requests-timeout.txt', {
        pattern: 'timeout',
        path: '/usr/lib/python3/dist-packages/requests',
        glob: '*.py',
      }),
    },
    {
      say: 'Let me read the session module.',
      ...read('code-requests-sessions.py', '/usr/lib/python3/dist-packages/requests/sessions.py'),
    },
    {
      say: 'Running the strict type check on the package.',
      ...bash(
        'build-mypy-strict-requests.txt',
        'cd /tmp/corpus-build/mr && mypy --strict requests',
        'Type-check requests in strict mode',
        1,
      ),
    },
    {
      say: 'Let me look at the job log.',
      ...bash('log-hadoop-2k.log', 'cat logs/hadoop/Hadoop_2k.log', 'Show the MapReduce job log'),
    },
    {
      say: 'And the SSH service log on the gateway.',
      ...bash('log-openssh-2k.log', 'journalctl -u ssh --no-pager -n 2000', 'Show recent SSH service logs'),
    },
    {
      say: 'Checking the open issues on the tracker.',
      ...bash(
        'json-octokit-paginate-issues.json',
        'gh api --paginate repos/octokit-fixture-org/paginate-issues/issues',
        'List the open issues',
      ),
    },
    {
      say: "I'll check the HTTP client's documentation for its retry and timeout defaults.",
      item: item('text-ky-readme.md'),
      call: {
        name: 'WebFetch',
        input: {
          url: 'https://github.com/sindresorhus/ky/blob/v1.2.1/readme.md',
          prompt: 'What are the default retry limit, retried methods, backoff delay and request timeout?',
        },
      },
      result: (id, text) => ({ tool_use_id: id, type: 'tool_result', content: text }),
    },
    {
      say: 'What changed between the two ky releases?',
      ...bash(
        'diff-ky-1.2.0-1.2.1.diff',
        'diff -ru ky-1.2.0/package ky-1.2.1/package',
        'Compare ky 1.2.0 and 1.2.1',
      ),
    },
    {
      say: 'Now the CLI side. Let me read the completion code.',
      ...read('code-cobra-completions.go', '/usr/share/gocode/src/github.com/spf13/cobra/completions.go'),
    },
    {
      say: 'Where are the Command methods defined?',
      ...grep('search-cobra-command-methods.txt', {
        pattern: 'func \\(c \\*Command\\)',
        path: '/usr/share/gocode/src/github.com/spf13/cobra',
      }),
    },
    {
      say: 'Next, the C++ parser build.',
      ...bash(
        'build-gxx-nlohmann-lexer-cxx03.txt',
        'cd /tmp/corpus-build && g++ -std=c++03 -fsyntax-only lexer03.cpp',
        'Compile the lexer as C++03',
        1,
      ),
    },
    {
      say: 'Let me read the lexer header.',
      ...read('code-nlohmann-lexer.hpp', '/usr/include/nlohmann/detail/input/lexer.hpp'),
    },
    {
      say: 'Now the Android shell: compiling the web view class.',
      ...bash(
        'build-javac-cordova-CordovaWebViewImpl.txt',
        `cd ${cordova} && javac -d /tmp/corpus-build/jout1 org/apache/cordova/CordovaWebViewImpl.java`,
        'Compile the Cordova web view class',
        1,
      ),
    },
    {
      say: 'Let me read the web view implementation.',
      ...read(
        'code-cordova-CordovaWebViewImpl.java',
        `${cordova}/org/apache/cordova/CordovaWebViewImpl.java`,
      ),
    },
    {
      say: 'And the regex wrapper the search code depends on.',
      ...read('code-regex-re_unicode.rs', '/usr/share/cargo/registry/regex-1.7.1/src/re_unicode.rs'),
    },
    edit(
      'The ajax default timeout of 0 never fires. Let me set a real default.',
      'code-rxjs-ajax.ts',
      `${rxjs}/src/internal/ajax/ajax.ts`,
      'timeout: 0,',
      'timeout: 30_000,',
    ),
    edit(
      'And give slow devices more time before the page load is abandoned.',
      'code-cordova-CordovaWebViewImpl.java',
      `${cordova}/org/apache/cordova/CordovaWebViewImpl.java`,
      '"LoadUrlTimeoutValue", 20000',
      '"LoadUrlTimeoutValue", 30000',
    ),
  ];
}

/** The last block of a message, carrying a breakpoint; text content becomes a block to carry it. */
function withBreakpoint(message) {
  const blocks =
    typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
  return {
    ...message,
    content: blocks.map((block, i) =>
      i === blocks.length - 1 ? { ...block, cache_control: EPHEMERAL } : block,
    ),
  };
}

/**
 * The session: `start()` a conversation, `request()` its next body, `append()` the model's answer and the tool
 * result it asked for. `reply()` and `readReply()` are the model's side and the client's reading of it.
 */
export function claudeCodeSession(corpus, { questions = false, rounds = 1 } = {}) {
  // `rounds` > 1: the agent goes over the same ground again, reading the same files and running the same commands.
  const list = Array.from({ length: rounds }, () => steps(corpus)).flat();
  const request = 'find what is broken and fix it';
  return {
    name: 'Claude Code 2.1.0',
    provider: 'anthropic',
    model: MODEL,
    path: '/v1/messages?beta=true',
    headers: HEADERS,
    steps: list,
    sideModel: SIDE_MODEL,
    request,

    start: () => ({ messages: [{ role: 'user', content: request }] }),

    body(state) {
      const last = state.messages.length - 2;
      return {
        model: MODEL,
        messages: state.messages.map((m, i) => (i >= last ? withBreakpoint(m) : m)),
        system: [
          { type: 'text', text: SYSTEM_IDENTITY, cache_control: EPHEMERAL },
          { type: 'text', text: SYSTEM_PROMPT, cache_control: EPHEMERAL },
        ],
        tools: TOOLS,
        metadata: { user_id: USER_ID },
        max_tokens: 32000,
        stream: true,
      };
    },

    /** Append the model's answer and the result of the call it made (step `index`). */
    append(state, content, index) {
      const step = list[index];
      state.messages.push({ role: 'assistant', content });
      const use = content.find((block) => block.type === 'tool_use');
      const result = step.result(use.id, step.item?.text);
      const blocks = [result];
      // A message typed while the agent works rides along with the next tool result, as a reminder.
      if (questions && step.item) blocks.push({ type: 'text', text: QUEUED_MESSAGE(step.item.question) });
      state.messages.push({ role: 'user', content: blocks });
    },

    /** The small-model requests the agent makes once step `index` has run, before its next turn. */
    sideRequests(index) {
      const step = list[index];
      if (!step.paths) return [];
      return [
        {
          model: SIDE_MODEL,
          messages: [{ role: 'user', content: [{ type: 'text', text: step.paths(step.item.text) }] }],
          system: [
            { type: 'text', text: SYSTEM_IDENTITY },
            { type: 'text', text: PATH_EXTRACTION },
          ],
          tools: [],
          metadata: { user_id: USER_ID },
          max_tokens: 32000,
          stream: true,
        },
      ];
    },

    sideHeaders: { ...HEADERS, 'anthropic-beta': 'interleaved-thinking-2025-05-14' },

    /** Whether a request is one of the small-model side requests rather than a turn of the session. */
    isSide: (body) => body.model === SIDE_MODEL,

    /** The side request's answer: the files the command showed. */
    sideReply(body) {
      const command = /^Command: (.*)$/m.exec(body.messages[0].content[0].text)?.[1] ?? '';
      const shown = /^(cat|head|tail)\s+(\S+)/.exec(command)?.[2];
      const text = `<is_displaying_contents>\n${Boolean(shown)}\n</is_displaying_contents>\n\n<filepaths>\n${shown ? `${shown}\n` : ''}</filepaths>`;
      return [{ type: 'text', text }];
    },

    /** How many tool results a request carries: which step the model is at. */
    resultsIn(body) {
      return body.messages
        .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
        .filter((b) => b.type === 'tool_result').length;
    },

    /** The text of step `index`'s tool result in a request as received, if it is there. */
    outputIn(body, index) {
      const id = toolUseId(`claude-code:${index}`);
      for (const message of body.messages) {
        for (const block of Array.isArray(message.content) ? message.content : []) {
          if (block.type !== 'tool_result' || block.tool_use_id !== id) continue;
          if (typeof block.content === 'string') return block.content;
          return block.content.map((part) => part.text ?? '').join('\n');
        }
      }
      return undefined;
    },

    /** The model's answer once it has seen `index` tool results: the next call, or a closing summary. */
    reply(index) {
      const step = list[index];
      if (!step) {
        return [
          {
            type: 'text',
            text: 'The ajax default timeout is fixed; the other failures come from the environment, not the code.',
          },
        ];
      }
      return [
        { type: 'text', text: step.say },
        {
          type: 'tool_use',
          id: toolUseId(`claude-code:${index}`),
          name: step.call.name,
          input: step.call.input,
        },
      ];
    },

    /** The SSE events of an answer, with the usage the provider would report. */
    events(content, usage, outputTokens) {
      const message = {
        id: `msg_01${createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 22)}`,
        type: 'message',
        role: 'assistant',
        model: MODEL,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: usage.input,
          cache_creation_input_tokens: usage.cacheWrite,
          cache_read_input_tokens: usage.cacheRead,
          output_tokens: 1,
        },
      };
      const events = [['message_start', { type: 'message_start', message }]];
      content.forEach((block, index) => {
        if (block.type === 'text') {
          events.push([
            'content_block_start',
            { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
          ]);
          for (const text of block.text.match(/\S+\s*/g) ?? []) {
            events.push([
              'content_block_delta',
              { type: 'content_block_delta', index, delta: { type: 'text_delta', text } },
            ]);
          }
        } else {
          events.push([
            'content_block_start',
            { type: 'content_block_start', index, content_block: { ...block, input: {} } },
          ]);
          const json = JSON.stringify(block.input);
          for (let at = 0; at < json.length; at += 40) {
            const partial_json = json.slice(at, at + 40);
            events.push([
              'content_block_delta',
              { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } },
            ]);
          }
        }
        events.push(['content_block_stop', { type: 'content_block_stop', index }]);
      });
      const stop = content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
      events.push([
        'message_delta',
        {
          type: 'message_delta',
          delta: { stop_reason: stop, stop_sequence: null },
          usage: { output_tokens: outputTokens },
        },
      ]);
      events.push(['message_stop', { type: 'message_stop' }]);
      return events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('');
    },

    /** The answer's content blocks, read back from its event stream as the agent does. */
    readReply(stream) {
      const blocks = [];
      const partial = [];
      for (const chunk of stream.split('\n\n')) {
        const data = chunk.split('\n').find((line) => line.startsWith('data: '));
        if (!data) continue;
        const event = JSON.parse(data.slice(6));
        if (event.type === 'content_block_start') {
          blocks[event.index] = { ...event.content_block };
          partial[event.index] = '';
        } else if (event.type === 'content_block_delta') {
          if (event.delta.type === 'text_delta') blocks[event.index].text += event.delta.text;
          else partial[event.index] += event.delta.partial_json;
        } else if (event.type === 'content_block_stop' && blocks[event.index].type === 'tool_use') {
          blocks[event.index].input = JSON.parse(partial[event.index] || '{}');
        }
      }
      return blocks;
    },
  };
}
