// A titled table that fits its width and height: columns from the shared layout, a marker on the
// selected row, and a scroll window that keeps the selection in view.

import { Box, Text } from 'ink';
import { type Column, layoutTable } from '../stats/table.js';

export interface TablePaneProps<T> {
  title: string;
  columns: Column<T>[];
  rows: readonly T[];
  /** Index of the highlighted row, or -1 for none. */
  selected: number;
  width: number;
  /** Lines available for the whole pane, title and header included. */
  height: number;
  empty: string;
  /** Colour for a row (e.g. red for a failed request). */
  colorOf?: (row: T) => string | undefined;
}

const GUTTER = 2;

/** First row to show so that `selected` stays inside a window of `visible` rows. */
export function scrollStart(selected: number, visible: number, total: number): number {
  if (visible <= 0 || total <= visible) return 0;
  const centred = selected - Math.floor(visible / 2);
  return Math.max(0, Math.min(centred, total - visible));
}

export function TablePane<T>(props: TablePaneProps<T>) {
  const { rows, width, selected } = props;
  const visible = Math.max(0, props.height - 2);
  const start = scrollStart(Math.max(selected, 0), visible, rows.length);
  const shown = rows.slice(start, start + visible);
  const table = layoutTable(props.columns, shown, width - GUTTER);
  const range = rows.length > shown.length ? ` ${start + 1}–${start + shown.length} of ${rows.length}` : '';
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate">
        {props.title}
        <Text dimColor>{range}</Text>
      </Text>
      {rows.length === 0 ? (
        <Text dimColor wrap="truncate">
          {`  ${props.empty}`}
        </Text>
      ) : (
        <>
          <Text dimColor wrap="truncate">
            {`${' '.repeat(GUTTER)}${table.header}`}
          </Text>
          {table.lines.map((line, i) => {
            const row = shown[i] as T;
            const isSelected = start + i === selected;
            return (
              <Text
                // Rows are positions in a scroll window; the window re-renders whole on every change.
                // biome-ignore lint/suspicious/noArrayIndexKey: see above
                key={i}
                wrap="truncate"
                color={props.colorOf?.(row)}
                inverse={isSelected}
                bold={isSelected}
              >
                {`${isSelected ? '› ' : '  '}${line}`}
              </Text>
            );
          })}
        </>
      )}
    </Box>
  );
}
