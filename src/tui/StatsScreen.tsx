// One frame of the stats TUI from plain props: the rows in the window, what is selected, the terminal
// size. No I/O and no timers here, so a frame can be rendered and checked in a test.

import { Box, Text } from 'ink';
import { type ReactNode, useMemo } from 'react';
import { formatCount, formatLatency, formatMoney, formatShare, formatTransforms } from '../stats/format.js';
import { describeOutputSaving, outputSavings } from '../stats/output-saving.js';
import {
  sessions as sessionSummaries,
  turns as sessionTurns,
  type Turn,
  timeline,
  totals,
  transformBreakdown,
} from '../stats/report.js';
import { truncate } from '../stats/table.js';
import { sessionColumns, sessionLabel, summaryFields, turnColumns } from '../stats/views.js';
import { filterRows } from '../store/filter.js';
import type { RequestRow } from '../store/types.js';
import { KeyFooter } from './KeyFooter.js';
import { packFields, StatsHeader } from './StatsHeader.js';
import { sparkline } from './sparkline.js';
import type { StatsViewState } from './stats-state.js';
import { TablePane } from './TablePane.js';
import { TransformBars } from './TransformBars.js';

export interface StatsScreenProps {
  /** Requests inside the window, in any order. */
  rows: readonly RequestRow[];
  state: StatsViewState;
  width: number;
  height: number;
  now: number;
  windowLabel: string;
  source: string;
}

/** What the screen derives from its rows; the app uses the ids to move the selection. */
export function screenModel(rows: readonly RequestRow[], state: StatsViewState) {
  const filtered = filterRows(rows, { text: state.filter });
  const sessions = sessionSummaries(filtered);
  const found = sessions.findIndex((s) => s.id === state.session);
  const sessionIndex = sessions.length === 0 ? -1 : Math.max(found, 0);
  const session = sessions[sessionIndex];
  const turns = session ? sessionTurns(filtered, session.id) : [];
  const turnFound = turns.findIndex((t) => t.id === state.turn);
  const turnIndex = turns.length === 0 ? -1 : Math.max(turnFound, 0);
  return { filtered, sessions, sessionIndex, session, turns, turnIndex };
}

function turnDetail(turn: Turn): string {
  const parts = [
    `${turn.provider} ${turn.path}`,
    `ttfb ${formatLatency(turn.ttfbMs)}`,
    `out ${turn.outputTokens === null ? '—' : formatCount(turn.outputTokens)}`,
    `cache read ${turn.cacheReadTokens === null ? '—' : formatCount(turn.cacheReadTokens)}`,
    `saved ${formatMoney(turn.moneySaved)}`,
    `transforms ${formatTransforms(turn.transforms)}`,
  ];
  if (turn.retrievals > 0) parts.push(`retrievals ${turn.retrievals}`);
  if (turn.error) parts.push(`error: ${turn.error}`);
  if (turn.compressError) parts.push(`compression failed, sent as is: ${turn.compressError}`);
  return parts.join(' · ');
}

const turnColor = (t: Turn) => (t.error || t.status >= 400 ? 'red' : t.compressError ? 'yellow' : undefined);

export function StatsScreen(props: StatsScreenProps) {
  const { state, width, height, now } = props;
  const model = useMemo(() => screenModel(props.rows, state), [props.rows, state]);
  const { filtered, sessions, session, turns } = model;
  const windowTotals = useMemo(() => totals(filtered), [filtered]);
  const trend = useMemo(() => timeline(filtered, Math.max(8, width - 12), now), [filtered, width, now]);
  const scopeRows =
    state.view === 'turns' && session ? filtered.filter((r) => r.sessionId === session.id) : filtered;
  const transforms = useMemo(() => transformBreakdown(scopeRows), [scopeRows]);
  // What output steering saved, once any turn in the window was steered or held out.
  const steering = useMemo(() => {
    const report = outputSavings(filtered);
    return report.steeredTurns + report.holdoutTurns > 0 ? describeOutputSaving(report) : undefined;
  }, [filtered]);

  const headerLines =
    1 +
    packFields(summaryFields(windowTotals), width).length +
    (trend.length > 1 ? 1 : 0) +
    (steering ? 1 : 0);
  const transformLines = state.showTransforms ? Math.min(Math.max(transforms.length, 1) + 1, 7) + 1 : 0;
  const body = Math.max(4, height - headerLines - transformLines - 2);

  const turnsTitle = session
    ? `TURNS · ${truncate(`${session.agent ?? '—'} · ${session.project ?? '—'} · ${sessionLabel(session.id)}`, Math.max(10, width - 40))} · ${formatShare(session.totals.savedShare)} saved ${sparkline(
        [...turns]
          .reverse()
          .slice(-12)
          .map((t) => t.savedShare),
      )}`
    : 'TURNS';
  const selectedTurn = turns[model.turnIndex];

  let panes: ReactNode;
  if (state.view === 'sessions') {
    const sessionsHeight = Math.min(sessions.length + 2, Math.max(3, Math.floor(body * 0.45)));
    panes = (
      <>
        <TablePane
          title={`SESSIONS (${sessions.length})`}
          columns={sessionColumns(now)}
          rows={sessions}
          selected={model.sessionIndex}
          width={width}
          height={sessionsHeight}
          empty={
            props.rows.length === 0
              ? 'no requests recorded yet: run `headroom proxy` or `headroom wrap <agent>`'
              : 'no session matches the filter'
          }
        />
        <Text> </Text>
        <TablePane
          title={turnsTitle}
          columns={turnColumns(now)}
          rows={turns}
          selected={-1}
          width={width}
          height={body - sessionsHeight - 1}
          empty="no turns yet"
          colorOf={turnColor}
        />
      </>
    );
  } else {
    panes = (
      <>
        <TablePane
          title={turnsTitle}
          columns={turnColumns(now)}
          rows={turns}
          selected={model.turnIndex}
          width={width}
          height={body - 1}
          empty="no turns in this session"
          colorOf={turnColor}
        />
        <Text dimColor wrap="truncate">
          {selectedTurn ? truncate(turnDetail(selectedTurn), width) : ' '}
        </Text>
      </>
    );
  }

  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <StatsHeader
        totals={windowTotals}
        timeline={trend}
        width={width}
        windowLabel={props.windowLabel}
        source={props.source}
        filter={state.filter}
        steering={steering}
      />
      {state.showTransforms ? (
        <Box marginTop={1}>
          <TransformBars transforms={transforms} width={width} maxLines={6} />
        </Box>
      ) : null}
      <Box flexDirection="column" marginTop={1} flexGrow={1}>
        {panes}
      </Box>
      <KeyFooter view={state.view} width={width} draft={state.draft} />
    </Box>
  );
}
