// The per-transform breakdown (toggled with `t`): how many blocks each transform compressed, as bars.

import { Box, Text } from 'ink';
import type { TransformCount } from '../stats/report.js';
import { truncate } from '../stats/table.js';
import { bar } from './sparkline.js';

export interface TransformBarsProps {
  transforms: readonly TransformCount[];
  width: number;
  /** Most transforms to list; the rest are summed in one line. */
  maxLines: number;
}

export function TransformBars({ transforms, width, maxLines }: TransformBarsProps) {
  const total = transforms.reduce((sum, t) => sum + t.blocks, 0);
  const nameWidth = Math.min(12, Math.max(4, ...transforms.map((t) => t.name.length)));
  const countWidth = Math.max(...transforms.map((t) => String(t.blocks).length), 1);
  const barWidth = Math.max(4, Math.min(30, width - nameWidth - countWidth - 16));
  const shown = transforms.slice(0, Math.max(1, maxLines - 1));
  const rest = transforms.slice(shown.length);
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate">
        TRANSFORMS <Text dimColor>blocks compressed</Text>
      </Text>
      {transforms.length === 0 ? <Text dimColor> nothing compressed in this view</Text> : null}
      {shown.map((t) => {
        const share = total > 0 ? t.blocks / total : 0;
        return (
          <Text key={t.name} wrap="truncate">
            {`  ${truncate(t.name, nameWidth).padEnd(nameWidth)} `}
            <Text color="magenta">{bar(share, barWidth)}</Text>
            {` ${String(t.blocks).padStart(countWidth)} in ${t.requests} req`}
          </Text>
        );
      })}
      {rest.length > 0 ? (
        <Text dimColor wrap="truncate">
          {`  +${rest.length} more: ${rest.map((t) => `${t.name} ${t.blocks}`).join(', ')}`}
        </Text>
      ) : null}
    </Box>
  );
}
