// Where a request goes: the provider from its path and headers, its wire format, its session prefix and
// its query string.

import { describe, expect, it } from 'vitest';
import { routeRequest, unsafeTarget } from './routes.js';

describe('routeRequest', () => {
  it('sends Anthropic paths and Anthropic-authenticated requests to Anthropic, the rest to OpenAI', () => {
    expect(routeRequest('POST', '/v1/messages?beta=true', {})).toMatchObject({
      provider: 'anthropic',
      format: expect.objectContaining({ name: 'anthropic' }),
      path: '/v1/messages',
      query: '?beta=true',
    });
    expect(routeRequest('POST', '/v1/messages/count_tokens', {})).toMatchObject({
      provider: 'anthropic',
      format: expect.objectContaining({ name: 'anthropic' }),
    });
    expect(routeRequest('GET', '/v1/models', { 'anthropic-version': '2023-06-01' }).provider).toBe(
      'anthropic',
    );
    expect(routeRequest('GET', '/v1/models', { authorization: 'Bearer x' }).provider).toBe('openai');
    expect(routeRequest('POST', '/v1/chat/completions', {}).format?.name ?? 'other').toBe('openai-chat');
    expect(routeRequest('POST', '/chat/completions', {}).format?.name ?? 'other').toBe('openai-chat');
    expect(routeRequest('POST', '/v1/responses', {}).format?.name ?? 'other').toBe('openai-responses');
    expect(routeRequest('GET', '/v1/responses/resp_1', {}).format?.name ?? 'other').toBe('other');
    expect(
      routeRequest('POST', '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse', {}),
    ).toMatchObject({
      provider: 'gemini',
      format: expect.objectContaining({ name: 'gemini' }),
      query: '?alt=sse',
    });
  });

  it('takes the session id off a /s/<id>/ prefix', () => {
    expect(routeRequest('POST', '/s/abc123/v1/messages?beta=true', {})).toMatchObject({
      sessionId: 'abc123',
      path: '/v1/messages',
      query: '?beta=true',
      format: expect.objectContaining({ name: 'anthropic' }),
    });
    expect(routeRequest('POST', '/s/abc123', {})).toMatchObject({ sessionId: 'abc123', path: '/' });
    expect(routeRequest('POST', '/sessions/v1/messages', {}).sessionId).toBeUndefined();
  });
});

describe('unsafeTarget', () => {
  it('lets the paths agents send through', () => {
    for (const target of [
      '/v1/messages?beta=true',
      '/s/8f2c1a/v1/chat/completions',
      '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
      '/v1/files/file-abc..def',
    ]) {
      expect(unsafeTarget(target), target).toBeUndefined();
    }
  });

  it('refuses targets that could reach past the upstream base', () => {
    for (const target of [
      'http://169.254.169.254/latest/meta-data',
      '//evil.example/v1/messages',
      '/v1/../admin',
      '/v1/%2e%2e/%2e%2e/internal',
      '/v1/./messages',
      '/v1\\..\\x',
      '/v1/%zz',
    ]) {
      expect(unsafeTarget(target), target).toBeTypeOf('string');
    }
  });
});
