// The three wire formats the soak speaks, as an agent sends them and a model API answers them: request
// bodies carrying tool outputs, JSON answers, event streams and error bodies. Every answer embeds the
// request's tag, so an answer delivered to the wrong client, or changed on the way, cannot pass as right.

/** One SSE event as the model APIs write it. */
export function sseEvent(event, data) {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`;
}

/** Text split into word-sized deltas, as models stream it. */
function words(text) {
  return text.match(/\S+\s*/g) ?? [text];
}

const anthropic = {
  name: 'anthropic',
  path: '/v1/messages',
  model: 'claude-sonnet-4-5',
  headers: (tag) => ({
    'content-type': 'application/json',
    'x-api-key': 'sk-ant-soak',
    'anthropic-version': '2023-06-01',
    'x-soak-tag': tag,
  }),
  body({ stream, question, outputs }) {
    const messages = [{ role: 'user', content: question }];
    outputs.forEach((output, i) => {
      const id = `toolu_${String(i).padStart(4, '0')}`;
      messages.push(
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id, name: 'Bash', input: { command: output.command } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: output.text }] },
      );
    });
    return { model: this.model, max_tokens: 1024, stream, system: 'You are a coding agent.', messages };
  },
  message(tag, text, usage) {
    return {
      id: `msg_${tag}`,
      type: 'message',
      role: 'assistant',
      model: this.model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: usage.input,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: usage.cacheRead,
        output_tokens: usage.output,
      },
    };
  },
  events(tag, text, usage) {
    const message = this.message(tag, text, usage);
    return [
      sseEvent('message_start', {
        type: 'message_start',
        message: {
          ...message,
          content: [],
          stop_reason: null,
          usage: { ...message.usage, output_tokens: 1 },
        },
      }),
      sseEvent('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      }),
      sseEvent('ping', { type: 'ping' }),
      ...words(text).map((piece) =>
        sseEvent('content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: piece },
        }),
      ),
      sseEvent('content_block_stop', { type: 'content_block_stop', index: 0 }),
      sseEvent('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: usage.output },
      }),
      sseEvent('message_stop', { type: 'message_stop' }),
    ];
  },
  error(status, message) {
    const type = status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : 'api_error';
    return { type: 'error', error: { type, message } };
  },
};

const chat = {
  name: 'openai-chat',
  path: '/v1/chat/completions',
  model: 'gpt-4o',
  headers: (tag) => ({
    'content-type': 'application/json',
    authorization: 'Bearer sk-soak',
    'x-soak-tag': tag,
  }),
  body({ stream, question, outputs }) {
    const messages = [
      { role: 'system', content: 'You are a coding agent.' },
      { role: 'user', content: question },
    ];
    outputs.forEach((output, i) => {
      const id = `call_${String(i).padStart(4, '0')}`;
      messages.push(
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id,
              type: 'function',
              function: { name: 'shell', arguments: JSON.stringify({ cmd: output.command }) },
            },
          ],
        },
        { role: 'tool', tool_call_id: id, content: output.text },
      );
    });
    return {
      model: this.model,
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
      messages,
    };
  },
  usage: (usage) => ({
    prompt_tokens: usage.input + usage.cacheRead,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.cacheRead + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead },
  }),
  message(tag, text, usage) {
    return {
      id: `chatcmpl-${tag}`,
      object: 'chat.completion',
      created: 1_730_000_000,
      model: this.model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: this.usage(usage),
    };
  },
  events(tag, text, usage) {
    const base = {
      id: `chatcmpl-${tag}`,
      object: 'chat.completion.chunk',
      created: 1_730_000_000,
      model: this.model,
    };
    const chunk = (delta, finish = null) =>
      sseEvent(undefined, { ...base, choices: [{ index: 0, delta, finish_reason: finish }], usage: null });
    return [
      chunk({ role: 'assistant', content: '' }),
      ...words(text).map((piece) => chunk({ content: piece })),
      chunk({}, 'stop'),
      sseEvent(undefined, { ...base, choices: [], usage: this.usage(usage) }),
      sseEvent(undefined, '[DONE]'),
    ];
  },
  error(status, message) {
    const type = status === 429 ? 'rate_limit_exceeded' : 'server_error';
    return { error: { message, type, param: null, code: type } };
  },
};

const responses = {
  name: 'openai-responses',
  path: '/v1/responses',
  model: 'gpt-5-codex',
  headers: chat.headers,
  body({ stream, question, outputs }) {
    const input = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: question }] }];
    outputs.forEach((output, i) => {
      const id = `call_${String(i).padStart(4, '0')}`;
      input.push(
        {
          type: 'function_call',
          call_id: id,
          name: 'exec_command',
          arguments: JSON.stringify({ cmd: output.command }),
        },
        { type: 'function_call_output', call_id: id, output: output.text },
      );
    });
    return { model: this.model, stream, instructions: 'You are a coding agent.', input };
  },
  message(tag, text, usage) {
    return {
      id: `resp_${tag}`,
      object: 'response',
      created_at: 1_730_000_000,
      status: 'completed',
      model: this.model,
      output: [
        {
          id: `msg_${tag}`,
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text, annotations: [] }],
        },
      ],
      usage: {
        input_tokens: usage.input + usage.cacheRead,
        input_tokens_details: { cached_tokens: usage.cacheRead },
        output_tokens: usage.output,
        total_tokens: usage.input + usage.cacheRead + usage.output,
      },
    };
  },
  events(tag, text, usage) {
    const full = this.message(tag, text, usage);
    const item = full.output[0];
    const pending = { ...full, status: 'in_progress', output: [], usage: null };
    const out = [];
    const push = (type, data) => out.push(sseEvent(type, { type, sequence_number: out.length, ...data }));
    push('response.created', { response: pending });
    push('response.in_progress', { response: pending });
    push('response.output_item.added', {
      output_index: 0,
      item: { ...item, status: 'in_progress', content: [] },
    });
    push('response.content_part.added', {
      item_id: item.id,
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    });
    for (const delta of words(text)) {
      push('response.output_text.delta', { item_id: item.id, output_index: 0, content_index: 0, delta });
    }
    push('response.output_text.done', { item_id: item.id, output_index: 0, content_index: 0, text });
    push('response.content_part.done', {
      item_id: item.id,
      output_index: 0,
      content_index: 0,
      part: item.content[0],
    });
    push('response.output_item.done', { output_index: 0, item });
    push('response.completed', { response: full });
    return out;
  },
  error: chat.error,
};

export const FORMATS = [anthropic, chat, responses];

/** The format whose path `path` is. */
export function formatFor(path) {
  return FORMATS.find((format) => format.path === path);
}
