// `headroom learn`'s core: read the agents' session logs as streams, mine each session, build rules per
// project, and work out what each agent's instructions file would become. Writing is a separate step, so a
// dry run and `--apply` see the same plan.

import { existsSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Env } from '../agents/adapter.js';
import { readIfExists, spliceBlock, writeAtomically } from './block.js';
import { digestOf, MalformedAnswerError, parseAnswer, promptFor } from './llm.js';
import { type Finding, SessionMiner } from './miner.js';
import type { Model } from './model.js';
import { type LogFile, type LogReader, READERS, sessionLogs } from './readers/index.js';
import { buildRules, mergeRules, type Rule, ruleExcerpts } from './rules.js';
import type { LogWarning } from './types.js';

export { BLOCK_END, BLOCK_START, BrokenBlockError } from './block.js';
export { type CompressionSuggestion, compressionFeedback, FeedbackTally } from './feedback.js';
export { DIGEST_CHARS } from './llm.js';
export {
  AGENT_CLIS,
  type AgentCli,
  agentModel,
  DEFAULT_MODELS,
  DEFAULT_TIMEOUT_MS,
  type Model,
  ModelRequestError,
  upstreamModel,
} from './model.js';
export type { Rule } from './rules.js';
export type { LogWarning, ToolCall } from './types.js';

/** The agents whose logs can be read, by name. */
export const LEARNABLE_AGENTS = READERS.map((reader) => reader.agent);

/** The instructions file `learn` writes for `agent`, or undefined when it cannot read that agent's logs. */
export function instructionsFileOf(agent: string): string | undefined {
  return READERS.find((reader) => reader.agent === agent)?.instructionsFile;
}

export interface LearnOptions {
  env: Env;
  /** The project to learn for (default: the working directory); ignored with `all`. */
  project?: string;
  /** Every project the logs name. */
  all?: boolean;
  /** Which agents' logs to read and whose files to write (default: all readable ones). */
  agents?: readonly string[];
  /** Write CLAUDE.local.md instead of CLAUDE.md. */
  local?: boolean;
  maxRules?: number;
  /** The date the block is stamped with, YYYY-MM-DD. */
  day: string;
  onWarning?: (warning: LogWarning) => void;
  /** Told the total bytes to read, then the bytes read so far, as reading goes. */
  onProgress?: (read: number, total: number) => void;
  /** A model to phrase and merge each project's rules; without one the mined rules are used as they are. */
  model?: Model;
  /** Told, for a project, why the model's answer was not used (the mined rules were kept). */
  onMalformedAnswer?: (project: string, reason: string) => void;
}

/** One instructions file and what it would become. */
export interface TargetPlan {
  project: string;
  agent: string;
  file: string;
  before: string | undefined;
  after: string | undefined;
  changed: boolean;
}

export interface ProjectPlan {
  project: string;
  rules: Rule[];
  sessions: number;
  targets: TargetPlan[];
  /** The model whose words the rules are in, when one was asked and its answer used. */
  phrasedBy?: string;
}

export interface LearnPlan {
  projects: ProjectPlan[];
  logs: number;
  sessions: number;
  skippedLines: number;
}

export const DEFAULT_MAX_RULES = 30;

/** A directory as compared across logs: resolved, without symlinks when it still exists. */
function canonical(dir: string): string {
  const full = resolve(dir);
  try {
    return realpathSync(full);
  } catch {
    return full;
  }
}

const inside = (dir: string, root: string) =>
  dir === root || dir.startsWith(root.endsWith('/') ? root : `${root}/`);

interface ProjectTally {
  findings: Finding[];
  sessions: Set<string>;
  agents: Set<string>;
}

/** Read every selected agent's logs and work out the rules and the file changes, writing nothing. */
export async function planLearning(options: LearnOptions): Promise<LearnPlan> {
  const readers = READERS.filter((reader) => !options.agents || options.agents.includes(reader.agent));
  const logs: { reader: LogReader; file: LogFile }[] = readers.flatMap((reader) =>
    sessionLogs(reader, options.env).map((file) => ({ reader, file })),
  );
  const total = logs.reduce((sum, log) => sum + log.file.bytes, 0);
  const only = options.all ? undefined : canonical(options.project ?? process.cwd());
  const projects = new Map<string, ProjectTally>();
  const canonicalOf = new Map<string, string>();
  let done = 0;
  let skippedLines = 0;
  const warn = (warning: LogWarning) => {
    skippedLines++;
    options.onWarning?.(warning);
  };
  options.onProgress?.(0, total);
  for (const { reader, file } of logs) {
    const miners = new Map<string, { miner: SessionMiner; project: string }>();
    const onBytes = (bytes: number) => options.onProgress?.(done + bytes, total);
    for await (const call of reader.read(file.path, { warn, onBytes })) {
      if (!call.project) continue;
      let project = canonicalOf.get(call.project);
      if (project === undefined) {
        project = canonical(call.project);
        canonicalOf.set(call.project, project);
      }
      if (only && !inside(project, only)) continue;
      const root = only ?? project;
      const key = `${call.agent}:${call.session}`;
      let entry = miners.get(key);
      if (!entry) {
        entry = { miner: new SessionMiner(), project: root };
        miners.set(key, entry);
      }
      entry.miner.add(call);
    }
    done += file.bytes;
    options.onProgress?.(done, total);
    for (const [key, { miner, project }] of miners) {
      const tally = projects.get(project) ?? { findings: [], sessions: new Set(), agents: new Set() };
      tally.findings.push(...miner.finish());
      tally.sessions.add(key);
      tally.agents.add(reader.agent);
      projects.set(project, tally);
    }
  }
  const plans: ProjectPlan[] = [];
  for (const [project, tally] of [...projects].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (existsSync(project)) plans.push(await planProject(project, tally, readers, options));
  }
  return {
    projects: plans,
    logs: logs.length,
    sessions: plans.reduce((sum, plan) => sum + plan.sessions, 0),
    skippedLines,
  };
}

/**
 * The mined rules phrased and merged by `model`, or the mined rules and why not. The model sees a digest of
 * them (`llm.ts`), and a well-formed answer only renames and groups them: the evidence is counted again from
 * the findings, so the same answer always gives the same rules.
 */
async function phrased(
  model: Model,
  findings: readonly Finding[],
  rules: Rule[],
  maxRules: number,
): Promise<{ rules: Rule[]; malformed?: string }> {
  if (rules.length === 0) return { rules };
  const digest = digestOf(rules, ruleExcerpts(findings));
  const answer = await model.ask(promptFor(digest.entries));
  try {
    return { rules: mergeRules(findings, rules, parseAnswer(answer, digest)).slice(0, maxRules) };
  } catch (error) {
    if (error instanceof MalformedAnswerError) return { rules, malformed: error.message };
    throw error;
  }
}

async function planProject(
  project: string,
  tally: ProjectTally,
  readers: readonly LogReader[],
  options: LearnOptions,
): Promise<ProjectPlan> {
  const maxRules = options.maxRules ?? DEFAULT_MAX_RULES;
  let rules = buildRules(tally.findings).slice(0, maxRules);
  let phrasedBy: string | undefined;
  if (options.model) {
    const result = await phrased(options.model, tally.findings, rules, maxRules);
    if (result.malformed === undefined) {
      phrasedBy = rules.length > 0 ? options.model.name : undefined;
      rules = result.rules;
    } else options.onMalformedAnswer?.(project, result.malformed);
  }
  const targets = readers
    .filter((reader) => tally.agents.has(reader.agent))
    .map((reader) => {
      const name = reader.agent === 'claude' && options.local ? 'CLAUDE.local.md' : reader.instructionsFile;
      const file = join(project, name);
      const before = readIfExists(file);
      const after = spliceBlock(before, rules, options.day, file);
      return { project, agent: reader.agent, file, before, after, changed: after !== before };
    });
  return { project, rules, sessions: tally.sessions.size, targets, ...(phrasedBy ? { phrasedBy } : {}) };
}

/** Write the files a plan changes; each is replaced atomically and its old version kept as a backup. */
export function applyPlan(plan: LearnPlan): { file: string; backup: string | undefined }[] {
  const written: { file: string; backup: string | undefined }[] = [];
  for (const project of plan.projects) {
    for (const target of project.targets) {
      if (!target.changed || target.after === undefined) continue;
      written.push({ file: target.file, ...writeAtomically(target.file, target.after) });
    }
  }
  return written;
}
