import { describe, expect, it } from 'vitest';
import { type Column, layoutTable, truncate, truncateStart } from './table.js';

describe('table cells', () => {
  it('cuts at the end by default and at the start where the last parts tell values apart', () => {
    expect(truncate('/home/dev/repos/webshop', 10)).toBe('/home/dev…');
    expect(truncateStart('/home/dev/repos/webshop', 10)).toBe('…s/webshop');
    expect(truncateStart('short', 10)).toBe('short');
  });

  it('shows sibling projects apart when their column is narrow', () => {
    const columns: Column<{ project: string }>[] = [
      { title: 'PROJECT', value: (r) => r.project, min: 7, max: 12, priority: 1, flex: true, cut: 'start' },
    ];
    const { lines } = layoutTable(
      columns,
      [{ project: '/home/dev/work/api-gateway' }, { project: '/home/dev/work/api-billing' }],
      12,
    );
    expect(lines.map((l) => l.trim())).toEqual(['…api-gateway', '…api-billing']);
  });
});
