// A small leveled logger: one line per event (time, level, message, key=value fields) to a stream or file.
// Every line passes through a redactor, so API keys and auth headers never reach a log.

import { createWriteStream } from 'node:fs';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  readonly level: LogLevel;
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** True when a message at `level` would be written; lets callers skip building costly lines. */
  enabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  /** The level, or where to read it on every line (a running proxy's level can change). */
  level?: LogLevel | (() => LogLevel);
  /** Where lines go (default: stderr). Ignored when `file` is given. */
  stream?: NodeJS.WritableStream;
  /** Append lines to this file (created 0600). */
  file?: string;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

const SECRET_FIELD = /key|token|secret|authorization|password|cookie/i;

// Key shapes of the providers headroom talks to, and bearer credentials of any kind.
const SECRET_PATTERNS: [RegExp, string][] = [
  [/\bsk-[A-Za-z0-9_-]{8,}/g, 'sk-***'],
  [/\bBearer\s+[^\s"',;]+/gi, 'Bearer ***'],
  [/\b(x-api-key|x-goog-api-key|x-headroom-key|api[-_]?key)(["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi, '$1$2***'],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, 'AIza***'],
];

/** Replace anything that looks like a credential with a placeholder. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

function formatField(name: string, value: LogFields[string]): string {
  if (value === undefined) return '';
  if (SECRET_FIELD.test(name)) return ` ${name}=***`;
  const text = String(value);
  return ` ${name}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
}

function openLogFile(file: string): NodeJS.WritableStream {
  const stream = createWriteStream(file, { flags: 'a', mode: 0o600 });
  // A log that cannot be written (disk full, path gone) costs its lines, never the proxy: an unheard
  // stream error would end the process, and stderr belongs to the wrapped agent's screen.
  stream.on('error', () => {});
  return stream;
}

/** Create a logger writing at `level` and above. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const given = options.level ?? 'info';
  const levelNow = typeof given === 'function' ? given : () => given;
  const out: NodeJS.WritableStream = options.file
    ? openLogFile(options.file)
    : (options.stream ?? process.stderr);
  const write = (at: LogLevel, message: string, fields?: LogFields) => {
    if (RANK[at] > RANK[levelNow()]) return;
    let line = `${new Date().toISOString()} ${at.padEnd(5)} ${message}`;
    if (fields) for (const [name, value] of Object.entries(fields)) line += formatField(name, value);
    out.write(`${redactSecrets(line)}\n`);
  };
  return {
    get level() {
      return levelNow();
    },
    error: (message, fields) => write('error', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    info: (message, fields) => write('info', message, fields),
    debug: (message, fields) => write('debug', message, fields),
    enabled: (at) => RANK[at] <= RANK[levelNow()],
  };
}

/** A logger that drops everything (the library default). */
export const silentLogger: Logger = {
  level: 'error',
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  enabled: () => false,
};

/** A logger that prints warnings alone, each as its own line on stderr (for commands that answer on stdout). */
export const warningLogger: Logger = {
  ...silentLogger,
  warn: (message) => {
    process.stderr.write(`${message}\n`);
  },
};
