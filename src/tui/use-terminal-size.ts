// The terminal's size, updated when it is resized, so the stats frame always fits the window.

import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  width: number;
  height: number;
}

export function useTerminalSize(fallback: TerminalSize = { width: 80, height: 24 }): TerminalSize {
  const { stdout } = useStdout();
  const read = () => ({ width: stdout.columns || fallback.width, height: stdout.rows || fallback.height });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  });
  return size;
}
