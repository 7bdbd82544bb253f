// The live stats TUI: holds the rows and the view state, feeds keys to the reducer, follows new rows
// from a feed, and renders a StatsScreen sized to the terminal.

import { useApp, useInput } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import { formatCount } from '../stats/format.js';
import type { RequestRow } from '../store/types.js';
import { StatsScreen, screenModel } from './StatsScreen.js';
import { initialViewState, onKey, type StatsViewState } from './stats-state.js';
import { useTerminalSize } from './use-terminal-size.js';

/** Where new rows come from while the TUI runs. */
export interface RowFeed {
  start(listener: { rows(rows: RequestRow[]): void; status?(status: { proxies: number }): void }): void;
  stop(): void;
}

export interface StatsAppProps {
  initialRows: readonly RequestRow[];
  /** Rows kept at most: past it, the oldest go as new ones arrive, and the header says so. */
  maxRows?: number;
  /** Whether the window held more rows than `initialRows` (the newest of them). */
  capped?: boolean;
  feed?: RowFeed;
  /** Show only requests newer than this many ms before now (a rolling window); undefined: all. */
  windowMs?: number;
  windowLabel: string;
  /** Fixed size instead of the terminal's (tests). */
  size?: { width: number; height: number };
  /** Clock tick for time labels and the rolling window. */
  tickMs?: number;
}

function sourceLabel(proxies: number | undefined, hasFeed: boolean): string {
  if (!hasFeed) return 'store';
  if (!proxies) return 'store (watching for new rows)';
  return `live: ${proxies} ${proxies === 1 ? 'proxy' : 'proxies'}`;
}

export function StatsApp(props: StatsAppProps) {
  const { exit } = useApp();
  const terminal = useTerminalSize();
  // One line short of the terminal: a frame as tall as the screen makes Ink clear it on every render.
  const { width, height } = props.size ?? {
    width: terminal.width,
    height: Math.max(10, terminal.height - 1),
  };
  // The rows held, and whether older ones of the window were left out (at start, or dropped since).
  const [held, setHeld] = useState<{ rows: readonly RequestRow[]; trimmed: boolean }>(() => ({
    rows: props.initialRows,
    trimmed: props.capped ?? false,
  }));
  const { rows, trimmed } = held;
  const [state, setState] = useState<StatsViewState>(initialViewState);
  // Keys can arrive faster than React re-renders (typing, pasting): each must see the previous key's result.
  const latest = useRef(state);
  const [proxies, setProxies] = useState<number>();
  const [now, setNow] = useState(Date.now);

  useEffect(() => {
    const feed = props.feed;
    if (!feed) return;
    const max = props.maxRows ?? Number.POSITIVE_INFINITY;
    feed.start({
      rows: (fresh) =>
        setHeld((current) => {
          const known = new Set(current.rows.map((row) => row.id));
          const added = fresh.filter((row) => !known.has(row.id));
          if (added.length === 0) return current;
          const next = [...current.rows, ...added];
          return next.length <= max
            ? { rows: next, trimmed: current.trimmed }
            : { rows: next.slice(-max), trimmed: true };
        }),
      status: ({ proxies: count }) => setProxies(count),
    });
    return () => feed.stop();
  }, [props.feed, props.maxRows]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), props.tickMs ?? 5000);
    return () => clearInterval(timer);
  }, [props.tickMs]);

  const windowRows = useMemo(() => {
    if (props.windowMs === undefined) return rows;
    const since = now - props.windowMs;
    return rows.filter((row) => row.ts >= since);
  }, [rows, now, props.windowMs]);

  useInput((input, key) => {
    const current = latest.current;
    const model = screenModel(windowRows, current);
    const outcome = onKey(
      current,
      { ...key, input },
      { sessions: model.sessions.map((s) => s.id), turns: model.turns.map((t) => t.id) },
      Math.max(1, height - 10),
    );
    if (outcome.quit) {
      exit();
      return;
    }
    latest.current = outcome.state;
    setState(outcome.state);
  });

  return (
    <StatsScreen
      rows={windowRows}
      state={state}
      width={width}
      height={height}
      now={Math.max(now, rows.at(-1)?.ts ?? 0)}
      windowLabel={
        trimmed
          ? `${props.windowLabel}, newest ${formatCount(rows.length)} (stats --json: all)`
          : props.windowLabel
      }
      source={sourceLabel(proxies, props.feed !== undefined)}
    />
  );
}
