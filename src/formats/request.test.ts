// A whole request body through the engine: only the tool outputs of its conversation change, every
// other key keeps its value and its place.

import { describe, expect, it } from 'vitest';
import { anthropicConversation, turnsFor } from '../../test/helpers/conversation.js';
import { compressRequestBody } from '../../test/helpers/engine.js';
import { realOutput } from '../../test/helpers/real-outputs.js';

const log = realOutput('log-express-debug');

describe('compressRequestBody', () => {
  it('rewrites only the tool outputs and keeps every other key in its place', () => {
    const body = {
      model: 'claude-sonnet-4-5',
      system: [{ type: 'text', text: 'system prompt', cache_control: { type: 'ephemeral' } }],
      tools: [{ name: 'Bash', input_schema: { type: 'object' } }],
      messages: anthropicConversation(turnsFor([log])),
      max_tokens: 1024,
      stream: true,
    };
    const result = compressRequestBody('anthropic', body);
    expect(result.changed).toBe(true);
    const out = result.body as typeof body;
    expect(Object.keys(out)).toEqual(Object.keys(body));
    expect(out.system).toBe(body.system);
    expect(out.tools).toBe(body.tools);
    expect(out.messages).not.toBe(body.messages);
    expect(result.originals).toHaveLength(1);
  });

  it('returns the same body object when nothing is compressed, and never throws on garbage', () => {
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };
    expect(compressRequestBody('openai-chat', body)).toMatchObject({ body, changed: false });
    for (const garbage of [null, 'text', 42, [], { messages: 'nope' }, { input: 'just a string' }]) {
      expect(compressRequestBody('openai-responses', garbage).changed).toBe(false);
    }
  });
});
