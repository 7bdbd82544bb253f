// The model `headroom learn --llm` asks: the configured upstream's API (Anthropic Messages or OpenAI Chat
// Completions, with the key from the environment), or an installed agent CLI run non-interactively. Either
// takes one prompt and gives back the answer's text; failing to get one is a one-line error.

import { execa } from 'execa';
import { findExecutable } from '../agents/preflight.js';
import { oneLine } from '../compress/lines.js';
import { AgentNotFoundError, HeadroomError, UsageError } from '../errors.js';

/** Something that answers a prompt with text. */
export interface Model {
  /** How the model is named in messages: `claude-sonnet-4-5 at https://api.anthropic.com`, `claude -p`. */
  name: string;
  ask(prompt: string): Promise<string>;
}

/** The model could not be reached, refused, or answered with no text. */
export class ModelRequestError extends HeadroomError {}

export const DEFAULT_TIMEOUT_MS = 180_000;
export const DEFAULT_MODELS = { anthropic: 'claude-sonnet-4-5', openai: 'gpt-4.1' } as const;

export interface UpstreamModelOptions {
  env: Readonly<Record<string, string | undefined>>;
  anthropicUpstream: string;
  openaiUpstream: string;
  model?: string;
  timeoutMs?: number;
}

/** The start of an error body, on one line: what the API said was wrong. */
function reasonIn(body: string): string {
  let message = body;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const error = parsed.error;
    const said = typeof error === 'string' ? error : (error?.message ?? parsed.message);
    if (typeof said === 'string') message = said;
  } catch {
    // Not JSON: its text is the reason.
  }
  const line = oneLine(message);
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

const joinUrl = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;

async function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${Math.round(timeoutMs / 1000)} s`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new ModelRequestError(`cannot reach the model at ${url}: ${why}`);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    throw new ModelRequestError(`the model at ${url} answered ${response.status}: ${reasonIn(text)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelRequestError(`the model at ${url} answered with something that is not JSON`);
  }
}

/**
 * The upstream's model: Anthropic's when ANTHROPIC_API_KEY is set, else OpenAI's when OPENAI_API_KEY is, the
 * same way round as `headroom wrap` would send an agent's requests.
 */
export function upstreamModel(options: UpstreamModelOptions): Model {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const anthropicKey = options.env.ANTHROPIC_API_KEY;
  const openaiKey = options.env.OPENAI_API_KEY;
  if (anthropicKey) {
    const model = options.model ?? DEFAULT_MODELS.anthropic;
    const url = joinUrl(options.anthropicUpstream, '/v1/messages');
    return {
      name: `${model} at ${options.anthropicUpstream}`,
      async ask(prompt) {
        const answer = (await postJson(
          url,
          { 'x-api-key': anthropicKey, 'anthropic-version': '2023-06-01' },
          { model, max_tokens: 8192, temperature: 0, messages: [{ role: 'user', content: prompt }] },
          timeoutMs,
        )) as { content?: { type?: string; text?: unknown }[] };
        const texts = (answer.content ?? []).filter((block) => block.type === 'text');
        const text = texts.map((block) => (typeof block.text === 'string' ? block.text : '')).join('');
        if (text === '') throw new ModelRequestError(`the model at ${url} answered with no text`);
        return text;
      },
    };
  }
  if (openaiKey) {
    const model = options.model ?? DEFAULT_MODELS.openai;
    const url = joinUrl(options.openaiUpstream, '/v1/chat/completions');
    return {
      name: `${model} at ${options.openaiUpstream}`,
      async ask(prompt) {
        const answer = (await postJson(
          url,
          { authorization: `Bearer ${openaiKey}` },
          { model, temperature: 0, messages: [{ role: 'user', content: prompt }] },
          timeoutMs,
        )) as { choices?: { message?: { content?: unknown } }[] };
        const text = answer.choices?.[0]?.message?.content;
        if (typeof text !== 'string' || text === '')
          throw new ModelRequestError(`the model at ${url} answered with no text`);
        return text;
      },
    };
  }
  throw new UsageError(
    '--llm needs ANTHROPIC_API_KEY or OPENAI_API_KEY (or use --llm-agent claude|codex|gemini)',
  );
}

/** How each agent CLI answers one prompt and exits: its binary and the arguments before the prompt. */
export const AGENT_CLIS = {
  claude: { binary: 'claude', args: ['-p'], install: 'npm i -g @anthropic-ai/claude-code' },
  // A project need not be a git repository for a prompt that only asks for text.
  codex: { binary: 'codex', args: ['exec', '--skip-git-repo-check'], install: 'npm i -g @openai/codex' },
  gemini: { binary: 'gemini', args: ['-p'], install: 'npm i -g @google/gemini-cli' },
} as const;

export type AgentCli = keyof typeof AGENT_CLIS;

export interface AgentModelOptions {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  model?: string;
  timeoutMs?: number;
}

/** An agent CLI in non-interactive mode (`claude -p`, `codex exec`, `gemini -p`): the prompt in, stdout out. */
export function agentModel(agent: AgentCli, options: AgentModelOptions): Model {
  const cli = AGENT_CLIS[agent];
  const command = `${cli.binary} ${cli.args.join(' ')}`;
  const path = findExecutable(cli.binary, options.env);
  if (!path)
    throw new AgentNotFoundError(`cannot start ${cli.binary}: not found on PATH (install: ${cli.install})`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    name: command,
    async ask(prompt) {
      const args = [...cli.args, ...(options.model ? ['--model', options.model] : []), prompt];
      const result = await execa(path, args, {
        env: options.env,
        extendEnv: false,
        cwd: options.cwd,
        stdin: 'ignore',
        reject: false,
        timeout: timeoutMs,
        stripFinalNewline: false,
      });
      if (result.timedOut) {
        throw new ModelRequestError(`${command} gave no answer within ${Math.round(timeoutMs / 1000)} s`);
      }
      if (result.exitCode !== 0) {
        const last = String(result.stderr).trim().split('\n').at(-1) ?? '';
        const status = result.exitCode === undefined ? `signal ${result.signal}` : `exit ${result.exitCode}`;
        throw new ModelRequestError(`${command} failed (${status})${last ? `: ${last.slice(0, 200)}` : ''}`);
      }
      return String(result.stdout);
    },
  };
}
