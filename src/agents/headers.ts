// Extra request headers in the shapes agents read them: `Name: value` entries in one variable (newline-separated
// for Claude Code, comma-separated for Gemini CLI) or a name → value map (opencode). Each is merged into what
// the user already set, an entry of the same name (in any case) giving way to headroom's.

/** Headers every model request of the agent must carry, e.g. `{ 'x-headroom-key': … }` for a keyed proxy. */
export type ProxyHeaders = Readonly<Record<string, string>>;

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The name of a `Name: value` entry, or undefined when it has no colon. */
function entryName(entry: string): string | undefined {
  const colon = entry.indexOf(':');
  return colon === -1 ? undefined : entry.slice(0, colon);
}

/** Comma-separated entries split the way Gemini CLI splits them: at a comma before the next `name:`. */
const COMMA_ENTRIES = /,(?=\s*[^,:]+:)/;

/**
 * `headers` added to the user's own `Name: value` list, their other entries kept as written. `separator` is
 * how the agent separates entries: a line break (Claude Code's ANTHROPIC_CUSTOM_HEADERS) or a comma (Gemini
 * CLI's GEMINI_CLI_CUSTOM_HEADERS).
 */
export function mergeHeaderList(
  existing: string | undefined,
  headers: ProxyHeaders,
  separator: '\n' | ',',
): string {
  const entries = (existing ?? '').split(separator === '\n' ? /\r?\n/ : COMMA_ENTRIES);
  const kept = entries.filter((entry) => {
    const name = entryName(entry);
    return (
      entry.trim() !== '' && !(name !== undefined && Object.keys(headers).some((h) => sameName(h, name)))
    );
  });
  const ours = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return [...kept.map((entry) => (separator === ',' ? entry.trim() : entry)), ...ours].join(separator);
}

/** `headers` added to a name → value map the user may have set (anything but an object counts as none). */
export function mergeHeaderMap(existing: unknown, headers: ProxyHeaders): Record<string, unknown> {
  const own = typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? existing : {};
  const kept = Object.entries(own).filter(([name]) => !Object.keys(headers).some((h) => sameName(h, name)));
  return { ...Object.fromEntries(kept), ...headers };
}

/**
 * The environment variable that carries a header's value to an agent that reads values from variables it is
 * told the names of (Codex's `env_http_headers`), so the value never appears in its arguments.
 */
export function headerVariable(name: string): string {
  return `HEADROOM_HEADER_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
