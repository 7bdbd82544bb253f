// Builds real-sized agent conversations whose tool outputs are real outputs (generated or from the corpus), in
// the Anthropic, OpenAI Chat, OpenAI Responses and Gemini shapes, for engine and proxy end-to-end tests.

import type { CorpusItem } from './corpus.js';

/** The tool call an agent would make to get an item of each category. */
const CALLS: Record<string, { claude: string; input: Record<string, unknown> }> = {
  logs: { claude: 'Bash', input: { command: 'kubectl logs deploy/api --tail=2000' } },
  json: { claude: 'Bash', input: { command: 'gh api repos/octokit/fixtures' } },
  search: { claude: 'Grep', input: { pattern: 'func', path: '.', output_mode: 'content', '-n': true } },
  shell: { claude: 'Bash', input: { command: 'ls -laR' } },
  diff: { claude: 'Bash', input: { command: 'git diff HEAD~1' } },
  build: { claude: 'Bash', input: { command: 'npm run build' } },
  text: { claude: 'WebFetch', input: { url: 'https://example.com/docs', prompt: 'read the docs' } },
  code: { claude: 'Read', input: { file_path: '/src/main.ts' } },
};

export interface Turn {
  question: string;
  item: CorpusItem;
}

function callFor(item: CorpusItem) {
  return CALLS[item.category] ?? { claude: 'Bash', input: { command: 'cat output.txt' } };
}

/** Turns where each item is asked about with its own question. */
export function turnsFor(items: readonly CorpusItem[]): Turn[] {
  return items.map((item) => ({ question: item.question, item }));
}

/** An Anthropic Messages conversation: user question, assistant tool_use, user tool_result, per turn. */
export function anthropicConversation(turns: readonly Turn[]): unknown[] {
  const messages: unknown[] = [];
  turns.forEach((turn, i) => {
    const call = callFor(turn.item);
    const id = `toolu_${String(i).padStart(4, '0')}`;
    messages.push({ role: 'user', content: turn.question });
    messages.push({
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me look.' },
        { type: 'tool_use', id, name: call.claude, input: call.input },
      ],
    });
    messages.push({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: id, content: turn.item.text }],
    });
    messages.push({
      role: 'assistant',
      content: [{ type: 'text', text: `Here is what I found in turn ${i + 1}.` }],
    });
  });
  return messages;
}

/** An OpenAI Chat Completions conversation with `tool_calls` and `role: "tool"` answers. */
export function openaiChatConversation(turns: readonly Turn[]): unknown[] {
  const messages: unknown[] = [{ role: 'system', content: 'You are a coding agent.' }];
  turns.forEach((turn, i) => {
    const call = callFor(turn.item);
    const id = `call_${String(i).padStart(4, '0')}`;
    messages.push({ role: 'user', content: turn.question });
    messages.push({
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id,
          type: 'function',
          function: { name: call.claude.toLowerCase(), arguments: JSON.stringify(call.input) },
        },
      ],
    });
    messages.push({ role: 'tool', tool_call_id: id, content: turn.item.text });
    messages.push({ role: 'assistant', content: `Here is what I found in turn ${i + 1}.` });
  });
  return messages;
}

/** An OpenAI Responses input list in Codex's style: `shell` function calls and their outputs. */
export function openaiResponsesInput(turns: readonly Turn[]): unknown[] {
  const input: unknown[] = [];
  turns.forEach((turn, i) => {
    const call = callFor(turn.item);
    const id = `call_${String(i).padStart(4, '0')}`;
    const command = typeof call.input.command === 'string' ? call.input.command : 'rg -n func';
    input.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text: turn.question }] });
    input.push({
      type: 'function_call',
      call_id: id,
      name: 'shell',
      arguments: JSON.stringify({ command: ['bash', '-lc', command] }),
    });
    input.push({ type: 'function_call_output', call_id: id, output: turn.item.text });
    input.push({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: `Turn ${i + 1} done.` }],
    });
  });
  return input;
}

// Gemini CLI's names for the tools Claude Code calls Bash, Grep, WebFetch and Read.
const GEMINI_CLI_TOOLS: Record<string, string> = {
  Bash: 'run_shell_command',
  Grep: 'grep_search',
  WebFetch: 'web_fetch',
  Read: 'read_file',
};

/** Gemini `contents` in Gemini CLI's style: `functionCall` parts answered by `functionResponse.response.output`. */
export function geminiContents(turns: readonly Turn[]): unknown[] {
  const contents: unknown[] = [];
  turns.forEach((turn, i) => {
    const call = callFor(turn.item);
    const name = GEMINI_CLI_TOOLS[call.claude] ?? 'run_shell_command';
    const id = `${name}-${1_760_000_000_000 + i}-${String(i).padStart(4, '0')}`;
    contents.push({ role: 'user', parts: [{ text: turn.question }] });
    contents.push({ role: 'model', parts: [{ functionCall: { id, name, args: call.input } }] });
    contents.push({
      role: 'user',
      parts: [{ functionResponse: { id, name, response: { output: turn.item.text } } }],
    });
    contents.push({ role: 'model', parts: [{ text: `Here is what I found in turn ${i + 1}.` }] });
  });
  return contents;
}
