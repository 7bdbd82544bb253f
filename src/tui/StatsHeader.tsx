// The header of the stats TUI: what window and source is shown, the window's totals packed into as few
// lines as the width allows, and a sparkline of saved % over time.

import { Box, Text } from 'ink';
import type { TimeBucket, Totals } from '../stats/report.js';
import { truncate } from '../stats/table.js';
import { type SummaryField, summaryFields } from '../stats/views.js';
import { sparkline } from './sparkline.js';

export interface StatsHeaderProps {
  totals: Totals;
  timeline: readonly TimeBucket[];
  width: number;
  windowLabel: string;
  /** Where rows come from, e.g. "live: 1 proxy" or "store". */
  source: string;
  filter: string;
  /** What output steering saved against the holdout, when the window has steered turns. */
  steering?: string;
}

const SEP = ' · ';

/** Fields grouped into lines no wider than `width`, in order. */
export function packFields(fields: readonly SummaryField[], width: number): SummaryField[][] {
  const lines: SummaryField[][] = [];
  let current: SummaryField[] = [];
  let used = 0;
  for (const f of fields) {
    const len = f.label.length + 1 + f.value.length;
    if (current.length > 0 && used + SEP.length + len > width) {
      lines.push(current);
      current = [];
      used = 0;
    }
    used += (current.length > 0 ? SEP.length : 0) + len;
    current.push(f);
  }
  if (current.length > 0) lines.push(current);
  return lines;
}

function bucketLabel(b: TimeBucket | undefined): string {
  if (!b) return '';
  const minutes = Math.round((b.end - b.start) / 60_000);
  if (minutes < 60) return `saved/${minutes}m`;
  if (minutes < 1440) return `saved/${minutes / 60}h`;
  return `saved/${Math.round(minutes / 1440)}d`;
}

export function StatsHeader(props: StatsHeaderProps) {
  const { width } = props;
  const trend = props.timeline.length > 1 ? props.timeline : [];
  const fields = summaryFields(props.totals);
  const lines = packFields(fields, width);
  const title = [
    `headroom stats`,
    props.windowLabel,
    props.source,
    props.filter ? `filter: ${props.filter}` : '',
  ]
    .filter(Boolean)
    .join(SEP);
  const trendLabel = bucketLabel(trend[0]);
  const room = width - trendLabel.length - 1;
  const spark =
    trend.length > 0 && room >= 8
      ? sparkline(trend.slice(-room).map((b) => (b.requests > 0 ? b.savedShare : null)))
      : '';
  return (
    <Box flexDirection="column" width={width}>
      <Text bold color="cyan" wrap="truncate">
        {truncate(title, width)}
      </Text>
      {lines.map((line) => (
        <Text key={line.map((f) => f.label).join()} wrap="truncate">
          {line.map((f, i) => (
            <Text key={f.label}>
              {i > 0 ? <Text dimColor>{SEP}</Text> : null}
              <Text dimColor>{f.label} </Text>
              <Text bold color={f.label === 'money saved' || f.label === 'input' ? 'green' : undefined}>
                {f.value}
              </Text>
            </Text>
          ))}
        </Text>
      ))}
      {props.steering ? (
        <Text wrap="truncate">
          <Text dimColor>steering </Text>
          <Text bold>{props.steering}</Text>
        </Text>
      ) : null}
      {spark ? (
        <Text wrap="truncate">
          <Text dimColor>{trendLabel} </Text>
          <Text color="green">{spark}</Text>
        </Text>
      ) : null}
    </Box>
  );
}
