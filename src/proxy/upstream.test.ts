// Upstream base URLs with path prefixes: joined to the request's path without doubling `/v1`.

import { describe, expect, it } from 'vitest';
import { joinUpstreamPath } from './upstream.js';

describe('joinUpstreamPath', () => {
  it('joins base path prefixes without doubling /v1', () => {
    expect(joinUpstreamPath('', '/v1/messages')).toBe('/v1/messages');
    expect(joinUpstreamPath('/openai', '/v1/chat/completions')).toBe('/openai/v1/chat/completions');
    expect(joinUpstreamPath('/api/v1', '/v1/chat/completions')).toBe('/api/v1/chat/completions');
    expect(joinUpstreamPath('/api/v1', '/chat/completions')).toBe('/api/v1/chat/completions');
    expect(joinUpstreamPath('/v1', '/v1')).toBe('/v1');
    expect(joinUpstreamPath('/v1', '/v1beta/models')).toBe('/v1/v1beta/models');
  });
});
