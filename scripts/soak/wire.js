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

/** JSON split into small pieces, as models stream a tool call's arguments. */
function pieces(json) {
  return json.match(/.{1,9}/g) ?? [json];
}

/** The id of the model's headroom_retrieve call in the answer to `tag`: a continuation carries it back. */
export const retrieveCallId = (tag) => `hrcall_${tag}`;

/** The events of an SSE body: each one's name and its data (parsed when it is JSON). */
function eventsOf(body) {
  return body
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const name = /^event: ?(.*)$/m.exec(block)?.[1];
      const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n');
      try {
        return { name, data: JSON.parse(data) };
      } catch {
        return { name, data };
      }
    });
}

/** What a client reads from an answer: its text, whether it ended as the API ends a whole answer. */
function reader(fromJson, fromEvents) {
  return (bytes, stream) => {
    const body = bytes.toString('utf8');
    if (!stream) {
      try {
        return { ...fromJson(JSON.parse(body)), complete: true };
      } catch {
        return { text: '', complete: false };
      }
    }
    return fromEvents(eventsOf(body));
  };
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
  retrieveMessage(tag, id, usage) {
    const call = {
      type: 'tool_use',
      id: `toolu_${retrieveCallId(tag)}`,
      name: 'headroom_retrieve',
      input: { id },
    };
    return { ...this.message(tag, '', usage), content: [call], stop_reason: 'tool_use' };
  },
  retrieveEvents(tag, id, usage) {
    const message = this.retrieveMessage(tag, id, usage);
    const call = message.content[0];
    return [
      sseEvent('message_start', {
        type: 'message_start',
        message: { ...message, content: [], stop_reason: null },
      }),
      sseEvent('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { ...call, input: {} },
      }),
      ...pieces(JSON.stringify(call.input)).map((partial_json) =>
        sseEvent('content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json },
        }),
      ),
      sseEvent('content_block_stop', { type: 'content_block_stop', index: 0 }),
      sseEvent('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { output_tokens: usage.output },
      }),
      sseEvent('message_stop', { type: 'message_stop' }),
    ];
  },
  read: reader(
    (json) => ({ text: (json.content ?? []).map((block) => block.text ?? '').join('') }),
    (events) => ({
      text: events.map((e) => (e.data?.delta?.type === 'text_delta' ? e.data.delta.text : '')).join(''),
      complete: events.some((e) => e.name === 'message_stop') && !events.some((e) => e.name === 'error'),
    }),
  ),
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
  /** The chunks of an answer to `tag`: `middle(chunk)` between the role chunk and the finish, usage, [DONE]. */
  chunks(tag, usage, finish, middle) {
    const base = {
      id: `chatcmpl-${tag}`,
      object: 'chat.completion.chunk',
      created: 1_730_000_000,
      model: this.model,
    };
    const chunk = (delta, reason = null) =>
      sseEvent(undefined, { ...base, choices: [{ index: 0, delta, finish_reason: reason }], usage: null });
    return [
      chunk({ role: 'assistant', content: finish === 'stop' ? '' : null }),
      ...middle(chunk),
      chunk({}, finish),
      sseEvent(undefined, { ...base, choices: [], usage: this.usage(usage) }),
      sseEvent(undefined, '[DONE]'),
    ];
  },
  events(tag, text, usage) {
    return this.chunks(tag, usage, 'stop', (chunk) => words(text).map((piece) => chunk({ content: piece })));
  },
  error(status, message) {
    const type = status === 429 ? 'rate_limit_exceeded' : 'server_error';
    return { error: { message, type, param: null, code: type } };
  },
  retrieveMessage(tag, id, usage) {
    const call = {
      id: `call_${retrieveCallId(tag)}`,
      type: 'function',
      function: { name: 'headroom_retrieve', arguments: JSON.stringify({ id }) },
    };
    const message = this.message(tag, '', usage);
    message.choices = [
      {
        index: 0,
        message: { role: 'assistant', content: null, tool_calls: [call] },
        finish_reason: 'tool_calls',
      },
    ];
    return message;
  },
  retrieveEvents(tag, id, usage) {
    const call = this.retrieveMessage(tag, id, usage).choices[0].message.tool_calls[0];
    const start = {
      index: 0,
      id: call.id,
      type: 'function',
      function: { name: call.function.name, arguments: '' },
    };
    return this.chunks(tag, usage, 'tool_calls', (chunk) => [
      chunk({ tool_calls: [start] }),
      ...pieces(call.function.arguments).map((args) =>
        chunk({ tool_calls: [{ index: 0, function: { arguments: args } }] }),
      ),
    ]);
  },
  read: reader(
    (json) => ({ text: json.choices?.[0]?.message?.content ?? '' }),
    (events) => ({
      text: events.map((e) => e.data?.choices?.[0]?.delta?.content ?? '').join(''),
      complete: events.some((e) => e.data === '[DONE]') && !events.some((e) => e.data?.error),
    }),
  ),
};

/** A Responses stream of `full`, an answer of one output item: its opening, `itemEvents`, then its close. */
function responseStream(full, itemEvents) {
  const item = full.output[0];
  const pending = { ...full, status: 'in_progress', output: [], usage: null };
  const out = [];
  const push = (type, data) => out.push(sseEvent(type, { type, sequence_number: out.length, ...data }));
  push('response.created', { response: pending });
  push('response.in_progress', { response: pending });
  itemEvents(push, item);
  push('response.output_item.done', { output_index: 0, item });
  push('response.completed', { response: full });
  return out;
}

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
    return responseStream(this.message(tag, text, usage), (push, item) => {
      push('response.output_item.added', {
        output_index: 0,
        item: { ...item, status: 'in_progress', content: [] },
      });
      const at = { item_id: item.id, output_index: 0, content_index: 0 };
      push('response.content_part.added', {
        ...at,
        part: { type: 'output_text', text: '', annotations: [] },
      });
      for (const delta of words(text)) push('response.output_text.delta', { ...at, delta });
      push('response.output_text.done', { ...at, text });
      push('response.content_part.done', { ...at, part: item.content[0] });
    });
  },
  error: chat.error,
  retrieveMessage(tag, id, usage) {
    const call = {
      id: `fc_${tag}`,
      type: 'function_call',
      status: 'completed',
      call_id: `call_${retrieveCallId(tag)}`,
      name: 'headroom_retrieve',
      arguments: JSON.stringify({ id }),
    };
    return { ...this.message(tag, '', usage), output: [call] };
  },
  retrieveEvents(tag, id, usage) {
    return responseStream(this.retrieveMessage(tag, id, usage), (push, item) => {
      push('response.output_item.added', {
        output_index: 0,
        item: { ...item, status: 'in_progress', arguments: '' },
      });
      const at = { item_id: item.id, output_index: 0 };
      for (const delta of pieces(item.arguments))
        push('response.function_call_arguments.delta', { ...at, delta });
      push('response.function_call_arguments.done', { ...at, arguments: item.arguments });
    });
  },
  read: reader(
    (json) => ({
      text: (json.output ?? [])
        .flatMap((item) => item.content ?? [])
        .map((part) => part.text ?? '')
        .join(''),
    }),
    (events) => ({
      text: events.map((e) => (e.name === 'response.output_text.delta' ? e.data.delta : '')).join(''),
      complete: events.some((e) => e.name === 'response.completed'),
    }),
  ),
};

export const FORMATS = [anthropic, chat, responses];

/** The format whose path `path` is. */
export function formatFor(path) {
  return FORMATS.find((format) => format.path === path);
}
