// Lays rows out as fixed-width text columns that fit a given width: low-priority columns are dropped
// first, flexible ones shrink, and cells that still do not fit end in an ellipsis.

export interface Column<T> {
  title: string;
  value: (row: T) => string;
  align?: 'left' | 'right';
  /** Narrowest the column may become before it is dropped. */
  min: number;
  /** Widest the column grows, however long its values. */
  max?: number;
  /** Columns with the lowest priority are dropped first when the width is short. */
  priority: number;
  /** Flexible columns give up width before fixed ones. */
  flex?: boolean;
  /** Where a value too long is cut: at its end (default), or at its start, for paths whose last parts tell them apart. */
  cut?: 'end' | 'start';
}

export interface TableLayout {
  header: string;
  lines: string[];
}

const GAP = 2;

/** Cut text to `width` characters, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
}

/** Cut text to its last `width` characters, marking the cut with a leading ellipsis: `…/repo/webshop`. */
export function truncateStart(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  return width === 1 ? '…' : `…${text.slice(text.length - width + 1)}`;
}

function fitCell(text: string, width: number, align: 'left' | 'right', at: 'end' | 'start'): string {
  const cut = at === 'start' ? truncateStart(text, width) : truncate(text, width);
  return align === 'right' ? cut.padStart(width) : cut.padEnd(width);
}

function widthsFor<T>(columns: readonly Column<T>[], cells: string[][], width: number): number[] {
  const natural = columns.map((col, i) => {
    const longest = Math.max(col.title.length, ...cells.map((row) => row[i]?.length ?? 0));
    return Math.max(col.min, Math.min(col.max ?? longest, longest));
  });
  const total = () => natural.reduce((sum, w) => sum + w, 0) + GAP * Math.max(0, natural.length - 1);
  let excess = total() - width;
  // Shrink flexible columns first, then any column, never below its minimum.
  for (const flexOnly of [true, false]) {
    for (let i = columns.length - 1; i >= 0 && excess > 0; i--) {
      const col = columns[i]!;
      if (flexOnly && !col.flex) continue;
      const give = Math.min(excess, natural[i]! - col.min);
      natural[i]! -= give;
      excess -= give;
    }
  }
  return natural;
}

/**
 * The header and one line per row, at most `width` characters each. Columns that cannot fit even at
 * their minimum width are left out, lowest priority first.
 */
export function layoutTable<T>(
  columns: readonly Column<T>[],
  rows: readonly T[],
  width: number,
): TableLayout {
  let kept = [...columns];
  const minTotal = (cols: readonly Column<T>[]) =>
    cols.reduce((sum, c) => sum + c.min, 0) + GAP * Math.max(0, cols.length - 1);
  while (kept.length > 1 && minTotal(kept) > width) {
    const lowest = kept.reduce((a, b) => (b.priority < a.priority ? b : a));
    kept = kept.filter((c) => c !== lowest);
  }
  const cells = rows.map((row) => kept.map((col) => col.value(row)));
  const widths = widthsFor(kept, cells, width);
  const line = (values: string[]) =>
    kept
      .map((col, i) => fitCell(values[i] ?? '', widths[i]!, col.align ?? 'left', col.cut ?? 'end'))
      .join(' '.repeat(GAP))
      .trimEnd();
  return { header: line(kept.map((c) => c.title)), lines: cells.map(line) };
}
