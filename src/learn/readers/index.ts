// The session-log readers, one per agent whose logs headroom can read.

import { claudeReader } from './claude.js';
import { codexReader } from './codex.js';
import { geminiReader } from './gemini.js';
import type { LogReader } from './reader.js';

export type { LogFile, LogReader } from './reader.js';
export { sessionLogs } from './reader.js';

export const READERS: readonly LogReader[] = [claudeReader, codexReader, geminiReader];
