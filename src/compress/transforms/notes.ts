// The short notes transforms leave where they cut: a cut list always says how many more there are and how
// to read them back (the marker at the end of the block carries the original's id).

/** `… and 14 more patterns, 311 lines (headroom_retrieve with a query for their words)`. */
export function moreNote(count: number, what: string, total?: number, unit?: string): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const size = total !== undefined && unit ? `, ${plural(total, unit)}` : '';
  return `… and ${plural(count, `more ${what}`)}${size} (headroom_retrieve with a query for their words)`;
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
