// Splits `headroom wrap` arguments into headroom's own and the agent's: everything after `--` belongs to the
// agent untouched, and so does anything after the agent name that is not one of headroom's flags.

/** What the splitter needs to know about one headroom flag. */
export interface FlagShape {
  char?: string;
  /** True when the flag takes a value (`--port 8787`). */
  takesValue: boolean;
  /** True when `--no-<name>` is accepted. */
  allowNo?: boolean;
}

export interface SplitArgv {
  /** Headroom's flags (and the agent name), for the flag parser. */
  own: string[];
  agentArgs: string[];
}

/** Split `argv` (as given after `wrap`) using the shapes of headroom's flags. */
export function splitWrapArgv(
  argv: readonly string[],
  flags: Readonly<Record<string, FlagShape>>,
): SplitArgv {
  const byToken = new Map<string, FlagShape>();
  for (const [name, shape] of Object.entries(flags)) {
    byToken.set(`--${name}`, shape);
    if (shape.char) byToken.set(`-${shape.char}`, shape);
    if (shape.allowNo) byToken.set(`--no-${name}`, { takesValue: false });
  }
  const own: string[] = [];
  const agentArgs: string[] = [];
  let agentNamed = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') {
      agentArgs.push(...argv.slice(i + 1));
      break;
    }
    const shape = byToken.get(token.split('=')[0] as string);
    if (shape) {
      own.push(token);
      if (shape.takesValue && !token.includes('=') && i + 1 < argv.length) own.push(argv[++i] as string);
    } else if (!agentNamed && !token.startsWith('-')) {
      own.push(token);
      agentNamed = true;
    } else if (agentNamed) {
      agentArgs.push(token);
    } else {
      own.push(token);
    }
  }
  return { own, agentArgs };
}
