// The plain-text form of `headroom stats` for pipes and logs: totals, sessions, transforms and, for one
// session, its turns. Same figures as the TUI, no colour, no cursor movement.

import { formatCount, formatShare } from './format.js';
import { describeOutputSaving } from './output-saving.js';
import type { StatsReport, Turn } from './report.js';
import { type Column, layoutTable } from './table.js';
import {
  groupColumns,
  PRICES_NOTE,
  sessionColumns,
  summaryFields,
  transformColumns,
  turnColumns,
} from './views.js';

export interface TextOptions {
  /** The turns of the session the report is filtered to, to list them. */
  turns?: readonly Turn[];
  /** Describes the window, e.g. "last 24h". */
  windowLabel: string;
  width?: number;
}

function section<T>(title: string, columns: Column<T>[], rows: readonly T[], width: number): string[] {
  if (rows.length === 0) return [];
  const table = layoutTable(columns, rows, width);
  return ['', title, table.header, ...table.lines];
}

export function renderText(report: StatsReport, options: TextOptions): string {
  const width = options.width ?? Number.POSITIVE_INFINITY;
  const fields = summaryFields(report.totals);
  const labelWidth = Math.max(...fields.map((f) => f.label.length));
  const lines = [`headroom stats: ${options.windowLabel}`];
  if (report.totals.requests === 0) {
    lines.push('no requests recorded yet (run `headroom proxy` or `headroom wrap <agent>`)');
    return `${lines.join('\n')}\n`;
  }
  lines.push(...fields.map((f) => `${f.label.padEnd(labelWidth)}  ${f.value}`));
  // What steering saved in output tokens, against the holdout.
  lines.push(`${'steering'.padEnd(labelWidth)}  ${describeOutputSaving(report.outputSaving)}`);
  const hourly = report.timeline.filter((b) => b.requests > 0);
  if (hourly.length > 1) {
    lines.push(
      `${'trend'.padEnd(labelWidth)}  ${hourly.map((b) => formatShare(b.savedShare)).join(' ')} saved per bucket`,
    );
  }
  if (report.groups && report.by) {
    const title = report.by.toUpperCase();
    lines.push(...section(`BY ${title}`, groupColumns(title), report.groups, width));
  }
  lines.push(...section('SESSIONS', sessionColumns(report.generatedAt), report.sessions, width));
  lines.push(...section('TRANSFORMS', transformColumns(), report.transforms, width));
  if (report.filter.session !== undefined && options.turns) {
    const sessionTurns = options.turns;
    lines.push(
      ...section(
        `TURNS (${formatCount(sessionTurns.length)})`,
        turnColumns(report.generatedAt),
        sessionTurns,
        width,
      ),
    );
  }
  lines.push('', PRICES_NOTE);
  return `${lines.join('\n')}\n`;
}
