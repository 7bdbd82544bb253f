// Real agents under `headroom wrap`, one non-interactive turn each against the fake model API, in a private
// HOME. Run with `npm run test:e2e`; an agent whose binary is not installed is skipped with the reason.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../../src/proxy/server.js';
import { openStatsStore } from '../../src/store/index.js';
import { agentBinaryDir, e2eEnabled, skipReason, writeAgentConfig } from '../helpers/agents.js';
import { answer, type FakeUpstream, type JsonObject, startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestProxy } from '../helpers/proxy.js';
import { realOutput } from '../helpers/real-outputs.js';
import { root, runHeadroom, tempDir, upstreamFlagsFor } from '../helpers/wrap.js';

let upstream: FakeUpstream;
beforeAll(async () => {
  if (e2eEnabled) upstream = await startFakeUpstream();
});
afterAll(() => upstream?.close());

function agentEnv(binDir: string, extra: Record<string, string> = {}) {
  const home = tempDir('e2e-home');
  return {
    home,
    env: {
      PATH: `${binDir}:${dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: home,
      HEADROOM_CONFIG_DIR: join(home, 'headroom-config'),
      HEADROOM_CACHE_DIR: join(home, 'headroom-cache'),
      ...extra,
    },
  };
}

const PROXY_KEY = 'e2e-team-proxy-key-0000';

/**
 * Run `agent` under `headroom wrap --proxy-url` against a running proxy that wants PROXY_KEY, and return what
 * the agent's turn left: the wrap result, the upstream requests it made and the proxy's rows for the session.
 */
async function wrapJoiningKeyedProxy(
  agent: string,
  env: Record<string, string>,
  args: string[],
  cwd?: string,
) {
  const proxy: RunningProxy = await startTestProxy(upstream.url, { apiKey: PROXY_KEY });
  try {
    const before = upstream.requests.length;
    const result = await runHeadroom(
      ['wrap', agent, '--proxy-url', proxy.url, '--', ...args],
      { ...env, HEADROOM_API_KEY: PROXY_KEY },
      { cwd, timeout: 100_000 },
    );
    const sessionId = /session ([0-9a-f]{8})/.exec(result.stderr)?.[1];
    const rows = await proxy.store.rows({ session: sessionId });
    return { result, received: upstream.requests.slice(before), rows };
  } finally {
    await proxy.close(0);
  }
}

const upstreamFlags = () => upstreamFlagsFor(upstream.url);

const claudeDir = agentBinaryDir('claude');
describe.skipIf(!e2eEnabled || !claudeDir)(
  `claude -p under headroom wrap${skipReason(claudeDir, 'claude')}`,
  () => {
    it('sends Claude Code’s requests through headroom to the upstream', async () => {
      const before = upstream.requests.length;
      const { env } = agentEnv(claudeDir as string, {
        ANTHROPIC_API_KEY: 'sk-ant-e2e-0000',
        // No telemetry or update checks to hosts this machine cannot reach.
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      });
      const result = await runHeadroom(['wrap', 'claude', ...upstreamFlags(), '--', '-p', 'hi'], env, {
        timeout: 80_000,
      });
      expect(result.exitCode, result.stderr).toBe(0);
      const received = upstream.requests.slice(before);
      expect(received.some((r) => r.path === '/v1/messages')).toBe(true);
      expect(result.stdout).toContain('lockfile');
      expect(result.stderr).toMatch(/headroom: claude session [0-9a-f]{8}: \d+ requests?/);
    }, 90_000);
  },
);

describe.skipIf(!e2eEnabled || !claudeDir)(
  `claude -p joining a proxy that wants its key${skipReason(claudeDir, 'claude')}`,
  () => {
    it('sends the proxy key with every one of Claude Code’s requests, so none is refused', async () => {
      const { env } = agentEnv(claudeDir as string, {
        ANTHROPIC_API_KEY: 'sk-ant-e2e-0000',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      });
      const { result, received, rows } = await wrapJoiningKeyedProxy('claude', env, ['-p', 'hi']);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toContain('lockfile');
      expect(received.some((r) => r.path === '/v1/messages')).toBe(true);
      expect(received.filter((r) => r.headers['x-headroom-key'] !== undefined)).toEqual([]);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((row) => row.status !== 200)).toEqual([]);
      expect(result.stderr).toMatch(/headroom: claude session [0-9a-f]{8}: [1-9]\d* requests?/);
    }, 120_000);

    it('sends the key beside the headers ~/.claude/settings.json sets, which replace the environment’s', async () => {
      const { env, home } = agentEnv(claudeDir as string, {
        ANTHROPIC_API_KEY: 'sk-ant-e2e-0000',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      });
      writeAgentConfig(
        home,
        '.claude/settings.json',
        JSON.stringify({ env: { ANTHROPIC_CUSTOM_HEADERS: 'X-Team: e2e' } }),
      );
      const { result, received, rows } = await wrapJoiningKeyedProxy('claude', env, ['-p', 'hi']);
      expect(result.exitCode, result.stderr).toBe(0);
      const turns = received.filter((r) => r.path === '/v1/messages');
      expect(turns.length).toBeGreaterThan(0);
      expect(turns.every((r) => r.headers['x-team'] === 'e2e')).toBe(true);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((row) => row.status !== 200)).toEqual([]);
    }, 120_000);
  },
);

describe.skipIf(!e2eEnabled || !claudeDir)(
  `claude -p with a gateway in its settings file under headroom wrap${skipReason(claudeDir, 'claude')}`,
  () => {
    it('sends Claude Code’s requests through headroom to the gateway ~/.claude/settings.json names', async () => {
      const before = upstream.requests.length;
      const { env, home } = agentEnv(claudeDir as string, {
        ANTHROPIC_API_KEY: 'sk-ant-e2e-0000',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      });
      // The fake upstream plays the gateway; headroom is given no upstream of its own.
      writeAgentConfig(
        home,
        '.claude/settings.json',
        JSON.stringify({ env: { ANTHROPIC_BASE_URL: upstream.url } }),
      );
      const result = await runHeadroom(['wrap', 'claude', '--', '-p', 'hi'], env, { timeout: 80_000 });
      expect(result.exitCode, result.stderr).toBe(0);
      const received = upstream.requests.slice(before);
      expect(received.some((r) => r.path === '/v1/messages')).toBe(true);
      expect(result.stderr).toMatch(/headroom: claude session [0-9a-f]{8}: [1-9]\d* requests?/);
    }, 90_000);
  },
);

describe.skipIf(!e2eEnabled || !claudeDir)(
  `claude -p running a command under headroom wrap${skipReason(claudeDir, 'claude')}`,
  () => {
    it('sends the side call that asks for the files a command named with the output cut to those paths', async () => {
      const before = upstream.requests.length;
      const { env } = agentEnv(claudeDir as string, {
        ANTHROPIC_API_KEY: 'sk-ant-e2e-0000',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      });
      // The model asks for a server log of thousands of lines through Bash, then answers.
      const project = tempDir('e2e-project');
      const log = realOutput('log-express-debug').text;
      writeFileSync(join(project, 'server.log'), log);
      const command = { command: 'awk 1 server.log', description: 'Print the server log' };
      // Only the main turn gets the tool call: Claude Code also sends warm-up and side requests of its own.
      const prompt = 'why did the server fail?';
      upstream.script((req) =>
        req.path.startsWith('/v1/messages') &&
        req.body.includes(prompt) &&
        !req.body.includes('"tool_result"')
          ? answer(req, { toolCall: { name: 'Bash', input: command } })
          : undefined,
      );
      try {
        const result = await runHeadroom(
          ['wrap', 'claude', ...upstreamFlags(), '--', '-p', prompt, '--allowedTools', 'Bash'],
          env,
          { cwd: project, timeout: 80_000 },
        );
        expect(result.exitCode, result.stderr).toBe(0);
        const received = upstream.requests.slice(before);
        // The tool result went to the model compressed, as any command's output does.
        const turn = received.find((r) => r.body.includes(prompt) && r.body.includes('"tool_result"'));
        expect(turn?.body.toString()).toMatch(/headroom_retrieve id=hr_[0-9a-f]{12}/);
        // Claude Code also sent the whole output to a small model to learn which files the command read;
        // that question only needs the paths, and they are all that went.
        const side = received.find((r) => r.body.includes('Extract any file paths that this command reads'));
        expect(side, 'the side call reached the upstream').toBeDefined();
        const sent = JSON.stringify(side!.json());
        expect(sent).toContain('Command: awk 1 server.log');
        expect(sent.length).toBeLessThan(JSON.stringify(log).length / 20);
        expect(sent).toMatch(/headroom_retrieve id=hr_[0-9a-f]{12}/);
        expect(sent).not.toContain('/orders/7');
        expect(result.stderr).toMatch(/headroom: claude session [0-9a-f]{8}: \d+ requests/);
        // The stats tell side calls apart from the agent's turns.
        const store = await openStatsStore({ cacheDir: env.HEADROOM_CACHE_DIR }, { readOnly: true });
        try {
          const rows = await store.rows();
          expect(rows.filter((row) => row.sideCall === 'claude-code-bash-paths')).toHaveLength(1);
        } finally {
          await store.close();
        }
      } finally {
        upstream.script(undefined);
      }
    }, 90_000);
  },
);

describe.skipIf(!e2eEnabled || !claudeDir)(
  `claude -p reading a large source file and editing it under headroom wrap${skipReason(claudeDir, 'claude')}`,
  () => {
    it('edits a function whose body reached the model elided, after reading back its line range', async () => {
      const { env } = agentEnv(claudeDir as string, {
        ANTHROPIC_API_KEY: 'sk-ant-e2e-0000',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      });
      const project = tempDir('e2e-project');
      // undici's HTTP/1.1 client: 1,769 lines of JavaScript, mostly function bodies.
      const file = join(project, 'client-h1.js');
      const source = readFileSync(join(root, 'node_modules/undici/lib/dispatcher/client-h1.js'), 'utf8');
      writeFileSync(file, source);
      const sourceLines = source.split('\n');
      const prompt = 'make the parser count the bytes it consumes';
      const before = upstream.requests.length;
      let elided: { from: number; to: number; offset: number; limit: number } | undefined;
      let edited: { old: string; new: string } | undefined;
      const resultsIn = (body: JsonObject) =>
        (body.messages as { content: unknown }[])
          .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
          .filter((b: { type?: string }) => b.type === 'tool_result') as {
          content: unknown;
          is_error?: boolean;
        }[];
      const textOf = (result: { content: unknown }) =>
        typeof result.content === 'string'
          ? result.content
          : (result.content as { text?: string }[]).map((part) => part.text ?? '').join('');
      upstream.script((req) => {
        if (!req.path.startsWith('/v1/messages') || !req.body.includes(prompt)) return undefined;
        const results = resultsIn(req.json());
        if (results.length === 0)
          return answer(req, { toolCall: { name: 'Read', input: { file_path: file } } });
        if (results.length === 1) {
          // The model sees the outline; it reads back the first elided body by the range the marker names.
          const text = textOf(results[0]!);
          const match = /lines (\d+)-(\d+): body of \S+ elided \(Read offset=(\d+) limit=(\d+)/.exec(text);
          if (!match) return answer(req, { text: 'no body was elided' });
          const [from, to, offset, limit] = match.slice(1).map(Number) as [number, number, number, number];
          elided = { from, to, offset, limit };
          return answer(req, { toolCall: { name: 'Read', input: { file_path: file, offset, limit } } });
        }
        if (results.length === 2 && elided) {
          // A line of that body only it has, exactly as the file holds it, changed by an Edit.
          const body = sourceLines.slice(elided.from - 1, elided.to);
          const line = body.find(
            (l) => l.trim().length > 12 && sourceLines.filter((s) => s === l).length === 1,
          );
          if (!line) return answer(req, { text: 'no unique line' });
          edited = { old: line, new: `${line} // retried` };
          return answer(req, {
            toolCall: {
              name: 'Edit',
              input: { file_path: file, old_string: edited.old, new_string: edited.new },
            },
          });
        }
        return answer(req, { text: 'Done.' });
      });
      try {
        const result = await runHeadroom(
          ['wrap', 'claude', ...upstreamFlags(), '--', '-p', prompt, '--allowedTools', 'Read', 'Edit'],
          env,
          { cwd: project, timeout: 80_000 },
        );
        expect(result.exitCode, result.stderr).toBe(0);
        const turns = upstream.requests.slice(before).filter((r) => r.body.includes(prompt));
        const results = resultsIn(turns.at(-1)!.json());
        expect(results).toHaveLength(3);
        // The whole file went to the model as an outline with its real line numbers...
        const outline = textOf(results[0]!);
        expect(outline.length).toBeLessThan(source.length * 0.6);
        expect(elided, 'an elided body named its range').toBeDefined();
        expect(elided!.offset).toBe(elided!.from);
        expect(elided!.limit).toBe(elided!.to - elided!.from + 1);
        // ...the range read back is exactly the file's lines...
        expect(textOf(results[1]!)).toContain(sourceLines[elided!.from - 1]!.trim());
        // ...and the edit made on it landed.
        expect(results[2]!.is_error ?? false, textOf(results[2]!)).toBe(false);
        expect(edited).toBeDefined();
        expect(readFileSync(file, 'utf8')).toBe(source.replace(edited!.old, edited!.new));
      } finally {
        upstream.script(undefined);
      }
    }, 90_000);
  },
);

const codexDir = agentBinaryDir('codex');
describe.skipIf(!e2eEnabled || !codexDir)(
  `codex exec under headroom wrap${skipReason(codexDir, 'codex')}`,
  () => {
    it('sends Codex’s Responses requests through headroom over plain HTTP', async () => {
      const before = upstream.requests.length;
      const { env } = agentEnv(codexDir as string, { OPENAI_API_KEY: 'sk-e2e-0000' });
      const result = await runHeadroom(
        ['wrap', 'codex', ...upstreamFlags(), '--', 'exec', '--skip-git-repo-check', 'hi'],
        env,
        { cwd: tempDir('e2e-project'), timeout: 100_000 },
      );
      expect(result.exitCode, result.stderr).toBe(0);
      const received = upstream.requests.slice(before);
      expect(received.some((r) => r.path === '/v1/responses')).toBe(true);
      expect(result.stderr).toMatch(/headroom: codex session [0-9a-f]{8}: \d+ requests?/);
    }, 120_000);

    it('compresses the shell output a code-mode script prints, as the default model reads files', async () => {
      const before = upstream.requests.length;
      const { env } = agentEnv(codexDir as string, { OPENAI_API_KEY: 'sk-e2e-0000' });
      const project = tempDir('e2e-project');
      const log = realOutput('log-express-debug').text;
      writeFileSync(join(project, 'server.log'), log);
      // Codex's default model writes a script for its exec tool; the script runs the shell and prints the result.
      const script = 'const r = await tools.exec_command({cmd: "cat server.log"});\ntext(r);';
      upstream.script((req) =>
        req.path === '/v1/responses' && !req.body.includes('"custom_tool_call_output"')
          ? answer(req, { toolCall: { name: 'exec', input: {}, script } })
          : undefined,
      );
      try {
        const result = await runHeadroom(
          [
            'wrap',
            'codex',
            ...upstreamFlags(),
            '--',
            'exec',
            '--skip-git-repo-check',
            'why did the server fail?',
          ],
          env,
          { cwd: project, timeout: 100_000 },
        );
        expect(result.exitCode, result.stderr).toBe(0);
        const turns = upstream.requests.slice(before).filter((r) => r.path === '/v1/responses');
        const withOutput = turns.find((r) => r.body.includes('"custom_tool_call_output"'))!;
        expect(withOutput).toBeDefined();
        const item = (withOutput.json().input as JsonObject[]).find(
          (i) => i.type === 'custom_tool_call_output',
        )!;
        const texts = (item.output as JsonObject[]).map((part) => String(part.text));
        // The shell result is still the JSON line Codex wrote, its output shortened with a way back to it.
        const result_ = texts.find((text) => text.includes('"output":"'))!;
        const json = JSON.parse(result_.slice(result_.indexOf('{"')));
        expect(json.exit_code).toBe(0);
        expect(json.output).toMatch(/headroom_retrieve id=hr_[0-9a-f]{12}/);
        expect(json.output.length).toBeLessThan(log.length / 3);
        expect(result.stderr).toMatch(
          /headroom: codex session [0-9a-f]{8}: \d+ requests, .*\([1-9]\d*% saved/,
        );
      } finally {
        upstream.script(undefined);
      }
    }, 120_000);
  },
);

describe.skipIf(!e2eEnabled || !codexDir)(
  `codex exec joining a proxy that wants its key${skipReason(codexDir, 'codex')}`,
  () => {
    it('sends the proxy key with Codex’s requests from the variable its provider names', async () => {
      const { env } = agentEnv(codexDir as string, { OPENAI_API_KEY: 'sk-e2e-0000' });
      const { result, received, rows } = await wrapJoiningKeyedProxy(
        'codex',
        env,
        ['exec', '--skip-git-repo-check', 'hi'],
        tempDir('e2e-project'),
      );
      expect(result.exitCode, result.stderr).toBe(0);
      const turns = received.filter((r) => r.path === '/v1/responses');
      expect(turns.length).toBeGreaterThan(0);
      expect(turns[0]!.headers.authorization).toBe('Bearer sk-e2e-0000');
      expect(received.filter((r) => r.headers['x-headroom-key'] !== undefined)).toEqual([]);
      expect(rows.filter((row) => row.status !== 200)).toEqual([]);
      expect(result.stderr).toMatch(/headroom: codex session [0-9a-f]{8}: [1-9]\d* requests?/);
    }, 120_000);
  },
);

describe.skipIf(!e2eEnabled || !codexDir)(
  `codex exec with a gateway provider in config.toml under headroom wrap${skipReason(codexDir, 'codex')}`,
  () => {
    it('sends Codex’s requests through headroom to the provider config.toml selects, with its key', async () => {
      const before = upstream.requests.length;
      const { env, home } = agentEnv(codexDir as string, { GATEWAY_KEY: 'gw-e2e-0000' });
      // The fake upstream plays the gateway; headroom is given no upstream of its own.
      writeAgentConfig(
        home,
        '.codex/config.toml',
        [
          'model_provider = "corp"',
          '[model_providers.corp]',
          'name = "Corp gateway"',
          `base_url = "${upstream.url}/v1"`,
          'env_key = "GATEWAY_KEY"',
          'wire_api = "responses"',
          'http_headers = { "X-Team" = "e2e" }',
        ].join('\n'),
      );
      const result = await runHeadroom(['wrap', 'codex', '--', 'exec', '--skip-git-repo-check', 'hi'], env, {
        cwd: tempDir('e2e-project'),
        timeout: 100_000,
      });
      expect(result.exitCode, result.stderr).toBe(0);
      const turns = upstream.requests.slice(before).filter((r) => r.path === '/v1/responses');
      expect(turns.length).toBeGreaterThan(0);
      expect(turns[0]!.headers.authorization).toBe('Bearer gw-e2e-0000');
      expect(turns[0]!.headers['x-team']).toBe('e2e');
      expect(result.stderr).toMatch(/headroom: codex session [0-9a-f]{8}: [1-9]\d* requests?/);
    }, 120_000);
  },
);

const geminiDir = agentBinaryDir('gemini');
describe.skipIf(!e2eEnabled || !geminiDir)(
  `gemini -p under headroom wrap${skipReason(geminiDir, 'gemini')}`,
  () => {
    it('sends Gemini CLI’s requests through headroom with its shell output compressed', async () => {
      const before = upstream.requests.length;
      const { env, home } = agentEnv(geminiDir as string, {
        GEMINI_API_KEY: 'e2e-key',
        GEMINI_CLI_TRUST_WORKSPACE: 'true',
      });
      // Gemini CLI 0.61 rejects the auth type it infers from GOOGLE_GEMINI_BASE_URL unless one is chosen.
      writeAgentConfig(
        home,
        '.gemini/settings.json',
        JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }),
      );
      // The model asks for a server log of thousands of lines through the CLI's shell tool, then answers.
      const project = tempDir('e2e-project');
      writeFileSync(join(project, 'server.log'), realOutput('log-express-debug').text);
      const command = { command: 'awk 1 server.log', description: 'Print the log' };
      upstream.script((req) =>
        /:streamGenerateContent$/.test(req.path) && !req.body.includes('"functionResponse"')
          ? answer(req, { toolCall: { name: 'run_shell_command', input: command } })
          : undefined,
      );
      try {
        const result = await runHeadroom(
          [
            'wrap',
            'gemini',
            ...upstreamFlags(),
            '--',
            '--approval-mode',
            'yolo',
            '-p',
            'why did the server fail?',
          ],
          env,
          { cwd: project, timeout: 80_000 },
        );
        expect(result.exitCode, result.stderr).toBe(0);
        const turns = upstream.requests.slice(before).filter((r) => /:streamGenerateContent$/.test(r.path));
        expect(turns.length).toBeGreaterThanOrEqual(2);
        expect(turns[0]!.headers['x-goog-api-key']).toBe('e2e-key');
        // The CLI declares its tools, so the proxy offered headroom_retrieve beside them from the first turn.
        expect(turns.every((r) => r.body.includes('"name":"headroom_retrieve"'))).toBe(true);
        const withOutput = turns.find((r) => r.body.includes('"functionResponse"'))!;
        expect(withOutput.body.toString()).toMatch(/headroom_retrieve id=hr_[0-9a-f]{12}/);
        expect(result.stdout).toContain('lockfile');
        expect(result.stderr).toMatch(
          /headroom: gemini session [0-9a-f]{8}: \d+ requests, .*\([1-9]\d*% saved/,
        );
      } finally {
        upstream.script(undefined);
      }
    }, 90_000);

    it('sends Gemini CLI’s requests to the gateway its ~/.gemini/.env names, with the headers kept there', async () => {
      const before = upstream.requests.length;
      const { env, home } = agentEnv(geminiDir as string, { GEMINI_CLI_TRUST_WORKSPACE: 'true' });
      writeAgentConfig(
        home,
        '.gemini/settings.json',
        JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }),
      );
      // The fake upstream plays the gateway; headroom is given no upstream of its own.
      writeFileSync(
        join(home, '.gemini', '.env'),
        [
          'GEMINI_API_KEY=gw-e2e-key',
          `GOOGLE_GEMINI_BASE_URL=${upstream.url}`,
          'GEMINI_CLI_CUSTOM_HEADERS="X-Team: e2e"',
        ].join('\n'),
      );
      const result = await runHeadroom(['wrap', 'gemini', '--', '-p', 'hi'], env, {
        cwd: tempDir('e2e-project'),
        timeout: 80_000,
      });
      expect(result.exitCode, result.stderr).toBe(0);
      const turns = upstream.requests.slice(before).filter((r) => /:streamGenerateContent$/.test(r.path));
      expect(turns.length).toBeGreaterThan(0);
      expect(turns[0]!.headers['x-goog-api-key']).toBe('gw-e2e-key');
      expect(turns[0]!.headers['x-team']).toBe('e2e');
      expect(result.stderr).toMatch(/headroom: gemini session [0-9a-f]{8}: [1-9]\d* requests?/);
    }, 90_000);
  },
);

const opencodeDir = agentBinaryDir('opencode');
describe.skipIf(!e2eEnabled || !opencodeDir)(
  `opencode run under headroom wrap${skipReason(opencodeDir, 'opencode')}`,
  () => {
    it('sends opencode’s requests through headroom with its shell output compressed', async () => {
      const before = upstream.requests.length;
      const { env } = agentEnv(opencodeDir as string, {
        ANTHROPIC_API_KEY: 'sk-ant-e2e-0000',
        // No model list or update checks from hosts this machine cannot reach.
        OPENCODE_DISABLE_MODELS_FETCH: '1',
        OPENCODE_DISABLE_AUTOUPDATE: '1',
      });
      const project = tempDir('e2e-project');
      writeFileSync(join(project, 'server.log'), realOutput('log-express-debug').text);
      const prompt = 'why did the server fail?';
      upstream.script((req) =>
        req.path.startsWith('/v1/messages') &&
        req.body.includes(prompt) &&
        !req.body.includes('"tool_result"')
          ? answer(req, {
              toolCall: {
                name: 'bash',
                input: { command: 'awk 1 server.log', description: 'Print the log' },
              },
            })
          : undefined,
      );
      try {
        const result = await runHeadroom(
          [
            'wrap',
            'opencode',
            ...upstreamFlags(),
            '--',
            'run',
            '--model',
            'anthropic/claude-sonnet-4-5',
            prompt,
          ],
          env,
          { cwd: project, timeout: 100_000 },
        );
        expect(result.exitCode, result.stderr).toBe(0);
        const turns = upstream.requests.slice(before).filter((r) => r.body.includes(prompt));
        expect(turns[0]!.headers['x-api-key']).toBe('sk-ant-e2e-0000');
        // opencode cuts the command's output itself and says where it saved the rest; what it kept still went
        // to the model compressed, with the retrieve tool beside opencode's own.
        const withOutput = turns.find((r) => r.body.includes('"tool_result"'));
        expect(withOutput, 'the shell output reached the upstream').toBeDefined();
        expect(withOutput!.body.toString()).toMatch(/headroom_retrieve id=hr_[0-9a-f]{12}/);
        expect(withOutput!.body.includes('"name":"headroom_retrieve"')).toBe(true);
        expect(result.stdout).toContain('lockfile');
        expect(result.stderr).toMatch(
          /headroom: opencode session [0-9a-f]{8}: \d+ requests, .*\([1-9]\d*% saved/,
        );
      } finally {
        upstream.script(undefined);
      }
    }, 120_000);
  },
);
