import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitWrapArgv } from '../src/agents/argv.js';
import { CHATGPT_CODEX_BASE, codex, codexAuth } from '../src/agents/codex.js';
import { AGENTS, findAgent } from '../src/agents/index.js';
import { opencode } from '../src/agents/opencode.js';
import { DescendantTracker, isRunning, readProcessTable, terminate } from '../src/agents/processes.js';
import { summaryLines } from '../src/agents/summary.js';
import { withAdoptedUpstreams } from '../src/agents/wrap.js';
import { resolveConfig } from '../src/config.js';
import { totals } from '../src/stats/report.js';
import { requestRow } from './helpers/stats-rows.js';
import { tempDir } from './helpers/wrap.js';

const PROXY = 'http://127.0.0.1:40123';
// A project directory with no agent config files of its own.
const CWD = tempDir('project');

function launched(
  name: string,
  env: Record<string, string> = {},
  args: string[] = [],
  headers: Record<string, string> = {},
) {
  const agent = findAgent(name);
  if (agent.kind !== 'process') throw new Error(`${name} is not run as a process`);
  return agent.launch(PROXY, { HOME: tempDir('home'), ...env }, args, CWD, headers);
}

describe('agent adapters', () => {
  it('point each agent’s own base URL variable at the proxy', () => {
    expect(launched('claude').env).toEqual({ ANTHROPIC_BASE_URL: PROXY, ENABLE_TOOL_SEARCH: 'true' });
    // Claude Code's deferred MCP tool schemas, unless the user chose for themselves.
    expect(launched('claude', { ENABLE_TOOL_SEARCH: 'false' }).env).toEqual({ ANTHROPIC_BASE_URL: PROXY });
    expect(launched('gemini').env).toEqual({ GOOGLE_GEMINI_BASE_URL: PROXY });
    expect(launched('aider').env).toEqual({
      OPENAI_API_BASE: `${PROXY}/v1`,
      OPENAI_BASE_URL: `${PROXY}/v1`,
      ANTHROPIC_API_BASE: PROXY,
      ANTHROPIC_BASE_URL: PROXY,
    });
    expect(launched('codex', { OPENAI_API_KEY: 'sk-x' }).env).toEqual({ OPENAI_BASE_URL: `${PROXY}/v1` });
  });

  it('say which agents can send an extra header with every model request', () => {
    const home = { HOME: tempDir('home') };
    const able = AGENTS.filter((a) => a.kind === 'process' && a.canSendHeaders?.(home, CWD, []) === true);
    expect(able.map((a) => a.name)).toEqual(['claude', 'codex', 'gemini', 'opencode']);
    const env = { ...home, GEMINI_CLI_CUSTOM_HEADERS: 'X-Team: infra' };
    expect(launched('gemini', env, [], { 'x-headroom-key': 'k-123' }).env).toEqual({
      GOOGLE_GEMINI_BASE_URL: PROXY,
      GEMINI_CLI_CUSTOM_HEADERS: 'X-Team: infra,x-headroom-key: k-123',
    });
  });

  it('keep the user’s arguments, in order, after the adapter’s own', () => {
    expect(launched('claude', {}, ['-p', 'a', 'a']).args).toEqual(['-p', 'a', 'a']);
    expect(launched('codex', { OPENAI_API_KEY: 'sk-x' }, ['exec', 'hi']).args.slice(-2)).toEqual([
      'exec',
      'hi',
    ]);
  });

  it('adopt a base URL the user already set as the upstream', () => {
    const env = {
      HOME: tempDir('home'),
      ANTHROPIC_BASE_URL: 'https://gw.corp/anthropic',
      OPENAI_BASE_URL: 'https://gw.corp/openai/v1',
      GOOGLE_GEMINI_BASE_URL: 'https://gw.corp/gemini',
    };
    expect(findAgent('claude').adoptUpstreams(env, CWD, [])).toEqual({
      anthropicUpstream: 'https://gw.corp/anthropic',
    });
    expect(findAgent('codex').adoptUpstreams(env, CWD, [])).toEqual({
      openaiUpstream: 'https://gw.corp/openai/v1',
    });
    expect(findAgent('gemini').adoptUpstreams(env, CWD, [])).toEqual({
      geminiUpstream: 'https://gw.corp/gemini',
    });
    expect(findAgent('claude').adoptUpstreams({ HOME: env.HOME, ANTHROPIC_BASE_URL: '  ' }, CWD, [])).toEqual(
      {},
    );
  });

  it("adopt Gemini CLI's gateway and headers from the .env file it loads, the environment winning", () => {
    const home = tempDir('home');
    mkdirSync(join(home, '.gemini'));
    writeFileSync(
      join(home, '.gemini', '.env'),
      'GOOGLE_GEMINI_BASE_URL=https://gw.corp/gemini\nGEMINI_CLI_CUSTOM_HEADERS="X-Team: infra"\n',
    );
    const gemini = findAgent('gemini');
    expect(gemini.adoptUpstreams({ HOME: home }, CWD, [])).toEqual({
      geminiUpstream: 'https://gw.corp/gemini',
    });
    expect(launched('gemini', { HOME: home }, [], { 'x-headroom-key': 'k-123' }).env).toEqual({
      GOOGLE_GEMINI_BASE_URL: PROXY,
      GEMINI_CLI_CUSTOM_HEADERS: 'X-Team: infra,x-headroom-key: k-123',
    });
    expect(
      gemini.adoptUpstreams({ HOME: home, GOOGLE_GEMINI_BASE_URL: 'https://env.example' }, CWD, []),
    ).toEqual({ geminiUpstream: 'https://env.example' });
    // The workspace's own file comes first, walking up from it; GEMINI_CLI_HOME stands in for the home.
    const project = tempDir('gemini-project');
    const nested = join(project, 'src', 'app');
    mkdirSync(join(project, '.gemini'), { recursive: true });
    mkdirSync(nested, { recursive: true });
    writeFileSync(join(project, '.gemini', '.env'), 'GOOGLE_GEMINI_BASE_URL=https://project.gw/gemini\n');
    expect(gemini.adoptUpstreams({ HOME: home }, nested, [])).toEqual({
      geminiUpstream: 'https://project.gw/gemini',
    });
    const other = tempDir('gemini-home');
    writeFileSync(join(other, '.env'), 'GOOGLE_GEMINI_BASE_URL=https://cli-home.gw\n');
    expect(gemini.adoptUpstreams({ HOME: home, GEMINI_CLI_HOME: other }, CWD, [])).toEqual({
      geminiUpstream: 'https://cli-home.gw',
    });
  });

  it('route copilot only in bring-your-own-key mode, to the provider type it names', () => {
    const copilot = findAgent('copilot');
    expect(copilot.cannotRoute?.({}, CWD, [])).toContain('COPILOT_PROVIDER_BASE_URL');
    const byok = {
      COPILOT_PROVIDER_BASE_URL: 'https://api.anthropic.com',
      COPILOT_PROVIDER_TYPE: 'anthropic',
    };
    expect(copilot.cannotRoute?.(byok, CWD, [])).toBeUndefined();
    expect(copilot.adoptUpstreams(byok, CWD, [])).toEqual({ anthropicUpstream: 'https://api.anthropic.com' });
    expect(launched('copilot', byok).env).toEqual({
      COPILOT_PROVIDER_BASE_URL: PROXY,
      COPILOT_PROVIDER_TRANSPORT: 'http',
    });
    expect(launched('copilot', { COPILOT_PROVIDER_BASE_URL: 'http://localhost:11434/v1' }).env).toMatchObject(
      {
        COPILOT_PROVIDER_BASE_URL: `${PROXY}/v1`,
      },
    );
  });

  it('merge opencode’s provider base URLs into the user’s OPENCODE_CONFIG_CONTENT', () => {
    const user = {
      model: 'anthropic/claude-sonnet-4-5',
      provider: { anthropic: { options: { timeout: 5, baseURL: 'https://gw/v1' } } },
    };
    const env = { OPENCODE_CONFIG_CONTENT: JSON.stringify(user) };
    const plan = opencode.launch(PROXY, env, [], CWD);
    expect(JSON.parse(plan.env.OPENCODE_CONFIG_CONTENT as string)).toEqual({
      model: 'anthropic/claude-sonnet-4-5',
      provider: {
        anthropic: { options: { timeout: 5, baseURL: `${PROXY}/v1` } },
        openai: { options: { baseURL: `${PROXY}/v1` } },
      },
    });
    expect(opencode.adoptUpstreams(env, CWD, [])).toEqual({ anthropicUpstream: 'https://gw/v1' });
  });

  it('send a ChatGPT-signed-in codex to the ChatGPT backend through the proxy', () => {
    const home = tempDir('codex');
    mkdirSync(join(home, '.codex'));
    writeFileSync(
      join(home, '.codex', 'auth.json'),
      JSON.stringify({ OPENAI_API_KEY: null, tokens: { id_token: 'x' } }),
    );
    const env = { HOME: home };
    expect(codexAuth(env)).toBe('chatgpt');
    expect(codex.adoptUpstreams(env, CWD, [])).toEqual({ openaiUpstream: CHATGPT_CODEX_BASE });
    expect(codex.launch(PROXY, env, [], CWD).args[3]).toBe(
      `model_providers.headroom={name="headroom",base_url="${PROXY}",requires_openai_auth=true,wire_api="responses"}`,
    );
    expect(codexAuth({ HOME: home, OPENAI_API_KEY: 'sk-x' })).toBe('env-key');
    expect(codexAuth({ HOME: tempDir('empty') })).toBe('stored-key');
  });

  it('know where each agent keeps its session logs', () => {
    const env = { HOME: '/home/u', CODEX_HOME: '/srv/codex' };
    expect(findAgent('claude').sessionLogDirs(env)).toEqual(['/home/u/.claude/projects']);
    expect(findAgent('codex').sessionLogDirs(env)).toEqual(['/srv/codex/sessions']);
    expect(AGENTS.every((a) => a.sessionLogDirs(env).length > 0)).toBe(true);
  });
});

describe('splitWrapArgv', () => {
  const flags = {
    port: { char: 'p', takesValue: true },
    verbose: { char: 'v', takesValue: false },
    compress: { takesValue: false, allowNo: true },
  };

  it('gives everything after -- to the agent untouched, duplicates and flags included', () => {
    expect(splitWrapArgv(['claude', '--port', '9', '--', '-p', 'x', 'x', '--', '-v'], flags)).toEqual({
      own: ['claude', '--port', '9'],
      agentArgs: ['-p', 'x', 'x', '--', '-v'],
    });
  });

  it('keeps headroom flags on either side of the agent name and passes unknown ones to the agent', () => {
    expect(splitWrapArgv(['--no-compress', 'codex', '--resume', 'last', '-v', '--port=0'], flags)).toEqual({
      own: ['--no-compress', 'codex', '-v', '--port=0'],
      agentArgs: ['--resume', 'last'],
    });
  });
});

describe('withAdoptedUpstreams', () => {
  const resolved = (env: Record<string, string>) =>
    resolveConfig({}, { HEADROOM_CONFIG_DIR: tempDir('config'), ...env });

  it('replaces the default upstream with the agent’s base URL', () => {
    const config = withAdoptedUpstreams(resolved({}), { anthropicUpstream: 'https://gw' });
    expect(config.anthropicUpstream).toBe('https://gw');
    expect(config.openaiUpstream).toBe('https://api.openai.com');
  });

  it('lets an upstream given to headroom itself win', () => {
    const config = withAdoptedUpstreams(resolved({ HEADROOM_ANTHROPIC_UPSTREAM: 'https://mine' }), {
      anthropicUpstream: 'https://gw',
    });
    expect(config.anthropicUpstream).toBe('https://mine');
  });
});

describe('summaryLines', () => {
  const compressed = requestRow({
    model: 'claude-sonnet-4-5',
    tokensBefore: 10_000,
    tokensAfter: 4000,
    inputTokens: 4000,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    retrievals: 1,
  });
  // A request the proxy counts nothing for (a token count).
  const small = requestRow({ tokensBefore: null, tokensAfter: null, transforms: null });
  const stats = totals([compressed, small]);

  it('reports requests, tokens before and after, the share and money saved', () => {
    const [line] = summaryLines({ agent: 'claude', sessionId: 'ab12cd34', exit: { code: 0 }, stats });
    // 6,000 fewer input tokens at Sonnet's $3 per million.
    expect(line).toBe(
      'headroom: claude session ab12cd34: 2 requests, 10k → 4.0k tokens (60% saved, $0.02), 1 retrieval',
    );
  });

  it('leaves money out when a model has no price', () => {
    const unpriced = totals([{ ...compressed, model: 'mystery-model' }, small]);
    const [line] = summaryLines({
      agent: 'claude',
      sessionId: 'ab12cd34',
      exit: { code: 0 },
      stats: unpriced,
    });
    expect(line).toContain('(60% saved)');
  });

  it('leaves money out when a running proxy joined over HTTP does not report it', () => {
    const { moneySaved: _, unpricedSavings: __, ...withoutMoney } = stats;
    const [line] = summaryLines({
      agent: 'claude',
      sessionId: 'ab12cd34',
      exit: { code: 0 },
      stats: withoutMoney,
    });
    expect(line).toContain('(60% saved), 1 retrieval');
  });

  it('suggests headroom learn after a failing exit, not after a clean one', () => {
    const failed = summaryLines({ agent: 'codex', sessionId: 'x', exit: { code: 2 }, stats });
    expect(failed.at(-1)).toBe(
      'headroom: codex exited with code 2; `headroom learn --agent codex` turns what went wrong in its session logs into rules for AGENTS.md',
    );
    expect(
      summaryLines({ agent: 'codex', sessionId: 'x', exit: { code: 0 }, stats }).join('\n'),
    ).not.toContain('learn');
  });

  it('suggests headroom learn only for agents whose session logs it reads', () => {
    const aider = summaryLines({ agent: 'aider', sessionId: 'x', exit: { code: 2 }, stats });
    expect(aider.join('\n')).not.toContain('learn');
  });
});

describe('DescendantTracker', () => {
  it('finds grandchildren that outlive their parent and ends them', async () => {
    const parent = spawn(process.execPath, [
      '-e',
      "const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); setTimeout(() => process.exit(0), 400)",
    ]);
    const tracker = new DescendantTracker(parent.pid as number, 50).start();
    await new Promise((resolve) => parent.once('exit', resolve));
    const left = tracker.remaining();
    expect(left).toHaveLength(1);
    expect(readProcessTable().get(left[0]?.pid as number)?.ppid).not.toBe(parent.pid);
    await terminate(left, 1000);
    expect(left.filter(isRunning)).toEqual([]);
  });
});
