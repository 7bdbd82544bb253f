// What a session-log reader declares: the agent it reads, where that agent keeps its logs, and how to turn
// one log file into tool calls, streamed.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../../agents/adapter.js';
import { findAgent } from '../../agents/index.js';
import type { LineReadOptions } from '../lines.js';
import type { ToolCall } from '../types.js';

export interface LogFile {
  path: string;
  bytes: number;
}

export interface LogReader {
  /** The agent's name, as `headroom wrap` knows it. */
  agent: string;
  /** The instructions file this agent reads at start, in the project root. */
  instructionsFile: string;
  /** Whether a file under the agent's log directories is one of its session logs. */
  isSessionLog(path: string): boolean;
  read(file: string, options: LineReadOptions): AsyncGenerator<ToolCall>;
}

/** Every file under `dir` that `keep` accepts, sorted so that runs read them in the same order. */
function filesUnder(dir: string, keep: (path: string) => boolean): LogFile[] {
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return names
    .map((name) => join(dir, name))
    .filter(keep)
    .sort()
    .flatMap((path) => {
      try {
        const stat = statSync(path);
        return stat.isFile() ? [{ path, bytes: stat.size }] : [];
      } catch {
        return [];
      }
    });
}

/** The session logs `reader`'s agent has written, where its adapter says it keeps them. */
export function sessionLogs(reader: LogReader, env: Env): LogFile[] {
  return findAgent(reader.agent)
    .sessionLogDirs(env)
    .flatMap((dir) => filesUnder(dir, (path) => reader.isSessionLog(path)));
}
