// Runs the built CLI (`bin/run.js wrap ...`) as a child process with a fake agent on PATH under a real agent's
// binary name, in a private HOME, config dir and cache dir.

import { chmodSync, existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

export const root = join(import.meta.dirname, '../..');
export const bin = join(root, 'bin', 'run.js');
export const fakeAgent = join(root, 'test', 'fixtures', 'fake-agent.mjs');

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `headroom-${prefix}-`));

/** A directory holding the fake agent under each of `names`, plus node itself, to use as the whole PATH. */
export function agentPath(...names: string[]): string {
  const dir = tempDir('path');
  chmodSync(fakeAgent, 0o755);
  for (const name of names) symlinkSync(fakeAgent, join(dir, name));
  return `${dir}:${dirname(process.execPath)}`;
}

export interface WrapEnvOptions {
  path: string;
  extra?: Record<string, string | undefined>;
}

/** An environment with nothing of the machine's own headroom or agent settings. */
export function wrapEnv({ path, extra = {} }: WrapEnvOptions): Record<string, string | undefined> {
  const home = tempDir('home');
  return {
    PATH: path,
    HOME: home,
    HEADROOM_CONFIG_DIR: join(home, 'config'),
    HEADROOM_CACHE_DIR: join(home, 'cache'),
    ANTHROPIC_API_KEY: 'sk-ant-test-key-0000',
    OPENAI_API_KEY: 'sk-test-openai-key-0000',
    ...extra,
  };
}

/** Start `headroom <args>`; never rejects, so tests look at exit code, signal and output. */
export function runHeadroom(
  args: string[],
  env: Record<string, string | undefined>,
  { cwd = root, timeout = 25_000 }: { cwd?: string; timeout?: number } = {},
) {
  // stdin is closed, as a non-interactive agent run (`claude -p`, `codex exec`) would otherwise wait on it.
  return execa(process.execPath, [bin, ...args], {
    env,
    cwd,
    extendEnv: false,
    reject: false,
    timeout,
    stdin: 'ignore',
  });
}

/** Wait until `file` exists (the fake agent's `ready=` step), then return its content. */
export async function waitForFile(file: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file) || readFileSync(file, 'utf8') === '') {
    if (Date.now() > deadline) throw new Error(`${file} did not appear`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return readFileSync(file, 'utf8');
}

export interface AgentReport {
  name: string;
  args: string[];
  env: Record<string, string>;
}

export const readReport = (file: string): AgentReport =>
  JSON.parse(readFileSync(file, 'utf8')) as AgentReport;

/** True while a process with this pid runs (an unreaped zombie counts as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Flags pointing every provider headroom forwards to at one fake model API. */
export const upstreamFlagsFor = (url: string) => [
  '--anthropic-upstream',
  url,
  '--openai-upstream',
  url,
  '--gemini-upstream',
  url,
];
