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

/** `, … +8 more (headroom_retrieve with a query)`: the tail of a list of names cut short, or '' when none were cut. */
export function moreNames(count: number): string {
  return count > 0 ? `, … +${count} more (headroom_retrieve with a query)` : '';
}

/**
 * Names joined with `, ` within `width` characters (each name clipped to fit), then how many more there
 * are: a list of names never ends mid-name without saying what it left out.
 */
export function nameList(names: readonly string[], hidden: number, width: number): string {
  const shown: string[] = [];
  let used = 0;
  for (const name of names) {
    const part = clip(name, 80);
    if (shown.length > 0 && used + part.length + 2 > width) break;
    shown.push(part);
    used += part.length + 2;
  }
  return `${shown.join(', ')}${moreNames(hidden + names.length - shown.length)}`;
}

/**
 * The shortest path suffix that still tells each of `files` (distinct paths) apart, as notes name them:
 * `lexer.hpp`, or `input/lexer.hpp` where another file is also `lexer.hpp`.
 */
export function uniqueShortNames(files: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const file of files) {
    const parts = file.split('/');
    for (let take = 1; take <= parts.length; take++) {
      const suffix = parts.slice(-take).join('/');
      const clash = files.some((f) => f !== file && (f === suffix || f.endsWith(`/${suffix}`)));
      if (!clash || take === parts.length) {
        names.set(file, suffix);
        break;
      }
    }
  }
  return names;
}
