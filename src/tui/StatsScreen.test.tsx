// The stats screen as rendered: totals, sessions and turns, unpriced models, scrolling, a 60-column
// terminal, the transform bars and the filter.

import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { requestRow } from '../../test/helpers/stats-rows.js';
import type { RequestRow } from '../store/types.js';
import { StatsScreen } from './StatsScreen.js';
import { initialViewState, type StatsViewState } from './stats-state.js';

const NOW = new Date(2026, 10, 25, 13, 0, 0).getTime();
const MIN = 60_000;

function frame(
  rows: RequestRow[],
  opts: { width?: number; height?: number; state?: Partial<StatsViewState> } = {},
) {
  const { lastFrame, unmount } = render(
    <StatsScreen
      rows={rows}
      state={{ ...initialViewState, ...opts.state }}
      width={opts.width ?? 100}
      height={opts.height ?? 30}
      now={NOW}
      windowLabel="last 24h"
      source="live: 1 proxy"
    />,
  );
  const text = lastFrame() ?? '';
  unmount();
  return text;
}

const lines = (text: string) => text.split('\n');

function manySessions(count: number): RequestRow[] {
  return Array.from({ length: count }, (_, i) =>
    requestRow({
      sessionId: `session-${i}`,
      agent: i % 2 ? 'codex' : 'claude',
      project: `project-${i}`,
      model: i % 2 ? 'gpt-5' : 'claude-sonnet-4-5',
      ts: NOW - (count - i) * MIN,
    }),
  );
}

describe('stats screen', () => {
  it('shows zero totals and how to start recording when the store is empty', () => {
    const text = frame([]);
    expect(text).toContain('headroom stats · last 24h · live: 1 proxy');
    expect(text).toContain('requests 0');
    expect(text).toContain('money saved —');
    expect(text).toContain('no requests recorded yet');
    expect(text).toContain('q quit');
  });

  it('shows one session with its totals, money and each turn', () => {
    const rows = [
      requestRow({ ts: NOW - 2 * MIN, tokensBefore: 10_000, tokensAfter: 4_000, latencyMs: 850 }),
      requestRow({
        ts: NOW - MIN,
        tokensBefore: 20_000,
        tokensAfter: 5_000,
        transforms: { logs: 3 },
        latencyMs: 1500,
      }),
    ];
    const text = frame(rows);
    expect(text).toContain('requests 2');
    expect(text).toContain('input 30k → 9.0k (70% saved)');
    expect(text).toContain('SESSIONS (1)');
    expect(text).toMatch(/› claude\s+webshop\s+12:58:00\s+2\s+30k→9\.0k\s+70%\s+\$0\.06/);
    expect(text).toMatch(/12:59:00\s+claude-sonnet-4-5\s+20k→5\.0k\s+75%\s+logs×3\s+1\.5s/);
    expect(text).toMatch(/12:58:00\s+claude-sonnet-4-5\s+10k→4\.0k\s+60%\s+json×2 logs\s+850ms/);
    expect(text).toMatch(/saved\/\d+m [▁▂▃▄▅▆▇█·]+/);
  });

  it('shows "—" instead of money for a model without a price', () => {
    const text = frame([requestRow({ model: 'llama-3-70b', ts: NOW - MIN })]);
    expect(text).toContain('money saved —');
    expect(text).toMatch(/llama-3-70b\s+10k→4\.0k\s+60%\s+json×2 logs\s+850ms\s+—\s+200/);
  });

  it('lists many sessions newest first and scrolls to keep the selection visible', () => {
    const rows = manySessions(30);
    const text = frame(rows, { height: 24, width: 80 });
    expect(lines(text).length).toBeLessThanOrEqual(24);
    expect(text).toContain('SESSIONS (30) 1–');
    expect(text).toMatch(/› codex\s+project-29/);
    const scrolled = frame(rows, { height: 24, width: 80, state: { session: 'session-2' } });
    expect(scrolled).toMatch(/› claude\s+project-2\b/);
    expect(scrolled).not.toContain('project-29');
  });

  it('fits a 60-column terminal by dropping and truncating columns', () => {
    const rows = manySessions(3).map((r) => ({ ...r, model: 'claude-sonnet-4-5-20250929-extended-edition' }));
    const text = frame(rows, { width: 60, height: 24 });
    for (const line of lines(text)) expect(line.length).toBeLessThanOrEqual(60);
    expect(text).toContain('AGENT');
    expect(text).toContain('SAVED');
    expect(text).toContain('q quit');
    expect(text).toContain('…');
  });

  it('drills into a session’s turns with details of the selected turn', () => {
    const rows = [
      requestRow({ sessionId: 'a', ts: NOW - 2 * MIN, cacheReadTokens: 3_100, outputTokens: 512 }),
      requestRow({ sessionId: 'a', ts: NOW - MIN, status: 529, error: null, transforms: null }),
      requestRow({ sessionId: 'b', ts: NOW - 3 * MIN, agent: 'codex' }),
    ];
    const text = frame(rows, { state: { view: 'turns', session: 'a' } });
    expect(text).not.toContain('SESSIONS');
    expect(text).toContain('TURNS · claude · webshop · a');
    expect(text).toMatch(/› 12:59:00.*529/);
    expect(text).toContain('anthropic /v1/messages · ttfb 300ms');
    expect(text).toContain('esc back');
  });

  it('shows the transform breakdown as bars when toggled', () => {
    const rows = [
      requestRow({ ts: NOW - MIN, transforms: { json: 6, logs: 2 } }),
      requestRow({ ts: NOW - MIN, transforms: { search: 2 } }),
    ];
    const off = frame(rows);
    expect(off).not.toContain('TRANSFORMS blocks compressed');
    const on = frame(rows, { state: { showTransforms: true } });
    expect(on).toContain('TRANSFORMS blocks compressed');
    expect(on).toMatch(/json\s+█+░*\s+6 in 1 req/);
    expect(on).toMatch(/logs\s+█+░*\s+2 in 1 req/);
  });

  it('narrows every figure to the rows matching the filter and shows the filter being typed', () => {
    const rows = manySessions(4);
    const filtered = frame(rows, { state: { filter: 'codex' } });
    expect(filtered).toContain('filter: codex');
    expect(filtered).toContain('requests 2');
    expect(filtered).not.toMatch(/claude\s+project/);
    const typing = frame(rows, { state: { draft: 'gpt' } });
    expect(typing).toContain('filter: gpt');
    expect(typing).toContain('enter apply · esc cancel');
  });

  it('shows what output steering saved against the holdout once turns were steered', () => {
    const turn = (arm: 'steered' | 'holdout', outputTokens: number, i: number) =>
      requestRow({
        ts: NOW - (40 - i) * MIN,
        verbosity: arm === 'steered' ? '2' : 'off',
        outputArm: arm,
        turnKind: 'continuation',
        outputTokens,
      });
    const rows = [
      ...Array.from({ length: 20 }, (_, i) => turn('steered', 300 + (i % 5) * 10, i)),
      ...Array.from({ length: 20 }, (_, i) => turn('holdout', 400 + (i % 5) * 10, 20 + i)),
    ];
    const text = frame(rows);
    expect(text).toMatch(
      /steering +24% \(95% CI \d+% to \d+%\), 100 tokens\/turn; 20 steered vs 20 held-out turns/,
    );
    // Without steered turns the header says nothing of it.
    expect(frame([requestRow({ ts: NOW - MIN })])).not.toContain('steering');
  });
});
