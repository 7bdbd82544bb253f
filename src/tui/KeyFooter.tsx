// The footer of the stats TUI: the keys that work in the current view, or the filter being typed.

import { Text } from 'ink';

export interface KeyFooterProps {
  view: 'sessions' | 'turns';
  width: number;
  /** Filter text being typed, when the user pressed `/`. */
  draft?: string;
}

const LONG = {
  sessions: '↑↓/jk select · enter open · t transforms · / filter · q quit',
  turns: '↑↓/jk select · esc back · t transforms · / filter · q quit',
};
const SHORT = {
  sessions: 'jk move · ⏎ open · t xforms · / filter · q quit',
  turns: 'jk move · esc back · t xforms · / filter · q quit',
};

export function KeyFooter({ view, width, draft }: KeyFooterProps) {
  if (draft !== undefined) {
    return (
      <Text wrap="truncate">
        <Text color="cyan">filter: </Text>
        {draft}
        <Text inverse> </Text>
        <Text dimColor> enter apply · esc cancel</Text>
      </Text>
    );
  }
  const keys = LONG[view].length <= width ? LONG[view] : SHORT[view];
  return (
    <Text dimColor wrap="truncate">
      {keys}
    </Text>
  );
}
