// Request rows as the stats store records them, for tests of the report, the table and the TUI.

import type { RequestRow } from '../../src/store/types.js';

let nextId = 1;

/** A successful, compressed Anthropic request; override any field. */
export function requestRow(overrides: Partial<RequestRow> = {}): RequestRow {
  return {
    id: nextId++,
    ts: Date.UTC(2026, 10, 25, 12, 0, 0),
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    method: 'POST',
    path: '/v1/messages',
    status: 200,
    latencyMs: 850,
    ttfbMs: 300,
    stream: true,
    requestBytes: 40_000,
    estInputTokens: 10_000,
    tokensBefore: 10_000,
    tokensAfter: 4_000,
    transforms: { json: 2, logs: 1 },
    compressMs: 12,
    overheadMs: 14,
    compressError: null,
    inputTokens: 4_000,
    outputTokens: 500,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    error: null,
    agent: 'claude',
    sessionId: 's1',
    project: 'webshop',
    retrievals: 0,
    retrievedBytes: 0,
    memoryCalls: 0,
    sideCall: null,
    historyRewrite: false,
    historyStubs: 0,
    historySavedTokens: 0,
    verbosity: null,
    outputArm: null,
    turnKind: null,
    effortLowered: null,
    ...overrides,
  };
}
