// Real Claude Code and Codex under `headroom wrap --memory`, against the fake model API, in one project and
// one private HOME: the model has Claude Code save a memory (memory_save, answered by headroom's proxy), and
// in a later Codex session in the same directory it searches and finds it. Run with `npm run test:e2e`.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentBinaryDir, e2eEnabled, skipReason } from '../helpers/agents.js';
import {
  answer,
  type FakeUpstream,
  type JsonObject,
  type ReceivedRequest,
  startFakeUpstream,
  toolResultTexts,
} from '../helpers/fake-upstream.js';
import { runHeadroom, tempDir } from '../helpers/wrap.js';

const claudeDir = agentBinaryDir('claude');
const codexDir = agentBinaryDir('codex');
const skip = !e2eEnabled || !claudeDir || !codexDir;
const why = skipReason(claudeDir, 'claude') || skipReason(codexDir, 'codex');

const FACT = 'The staging database listens on port 5433, not 5432.';

let upstream: FakeUpstream;
beforeAll(async () => {
  if (!skip) upstream = await startFakeUpstream();
});
afterAll(() => upstream?.close());

/** The tools a request lists: its `tools`, or (Codex 0.169's default model) its additional_tools item's. */
const listedTools = (req: ReceivedRequest): unknown[] => {
  try {
    const body = req.json();
    const items = Array.isArray(body.input) ? (body.input as JsonObject[]) : [];
    const item = items.find((entry) => entry.type === 'additional_tools');
    return [...((body.tools as unknown[]) ?? []), ...((item?.tools as unknown[]) ?? [])];
  } catch {
    return [];
  }
};
const offers = (req: ReceivedRequest, tool: string) => JSON.stringify(listedTools(req)).includes(`"${tool}"`);

/** The model calls `tool` once in the agent's turn on the prompt, then says what the tool answered. */
function scriptTool(tool: string, input: Record<string, unknown>) {
  upstream.script((req) => {
    // Only the agent's turn on the prompt: Claude Code's warm-up requests offer the tools too.
    if (!offers(req, tool) || !req.body.includes('staging')) return undefined;
    const results = toolResultTexts(req);
    if (results === '') return answer(req, { toolCall: { name: tool, input } });
    return answer(req, { text: `Memory says: ${results}` });
  });
}

describe.skipIf(skip)(`claude and codex sharing memory under headroom wrap --memory${why}`, () => {
  it('lets Codex find in a later session what Claude Code saved in the same project', async () => {
    const home = tempDir('e2e-memory-home');
    const project = join(home, 'project');
    mkdirSync(project);
    const env = {
      PATH: `${claudeDir}:${codexDir}:${dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: home,
      HEADROOM_CONFIG_DIR: join(home, 'headroom-config'),
      HEADROOM_CACHE_DIR: join(home, 'headroom-cache'),
      HEADROOM_ANTHROPIC_UPSTREAM: upstream.url,
      HEADROOM_OPENAI_UPSTREAM: upstream.url,
      ANTHROPIC_API_KEY: 'sk-ant-e2e-0000',
      OPENAI_API_KEY: 'sk-e2e-0000',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    };

    scriptTool('memory_save', { text: FACT });
    const saved = await runHeadroom(
      ['wrap', 'claude', '--memory', '--', '-p', 'Remember the staging database port.'],
      env,
      { cwd: project, timeout: 100_000 },
    );
    expect(saved.exitCode, saved.stderr).toBe(0);
    // Claude Code may ask twice on one prompt (its main turn and a side request with the same tools).
    expect(saved.stdout).toMatch(/Memory says: (saved|already remembered as) m_[0-9a-f]{12}/);

    scriptTool('memory_search', { query: 'staging database port' });
    const found = await runHeadroom(
      ['wrap', 'codex', '--memory', '--', 'exec', '--skip-git-repo-check', 'Which port does staging use?'],
      env,
      { cwd: project, timeout: 100_000 },
    );
    expect(found.exitCode, found.stderr).toBe(0);
    expect(found.stdout).toContain(FACT);
    // Codex's default model declares its tools in an additional_tools item and sends no `tools`: headroom's
    // go in that item, after the agent's own.
    const codexTurn = upstream.requests.find(
      (req) => req.path.endsWith('/responses') && offers(req, 'memory_search'),
    )!;
    expect(codexTurn.json().tools).toBeUndefined();
    const names = (listedTools(codexTurn) as JsonObject[]).map((tool) => tool.name);
    expect(names.slice(-6)).toEqual([
      'headroom_retrieve',
      'memory_save',
      'memory_search',
      'memory_update',
      'memory_delete',
      'memory_list',
    ]);

    const kept = await runHeadroom(['memory', 'list', '--json'], env, { cwd: project });
    expect(JSON.parse(kept.stdout)).toMatchObject([{ text: FACT, agents: ['claude'] }]);
  }, 240_000);
});
