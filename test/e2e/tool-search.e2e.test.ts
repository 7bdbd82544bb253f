// Real Claude Code under `headroom wrap` with an MCP server of 60 tools, against the fake model API: wrap turns
// on Claude Code's own tool search (`ENABLE_TOOL_SEARCH=true`), so the MCP tools' definitions go deferred
// (`defer_loading: true`, which the API keeps out of the model's context until the model searches for them);
// with the user's `ENABLE_TOOL_SEARCH=false` every definition goes in full. Prints what each request's tool
// definitions cost. Run with `npm run test:e2e`.

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTokens } from '../../src/compress/tokens.js';
import { agentBinaryDir, e2eEnabled, skipReason } from '../helpers/agents.js';
import { type FakeUpstream, type ReceivedRequest, startFakeUpstream } from '../helpers/fake-upstream.js';
import { root, runHeadroom, tempDir } from '../helpers/wrap.js';

const claudeDir = agentBinaryDir('claude');
const skip = !e2eEnabled || !claudeDir;
const TOOLS = 60;

/**
 * A stdio MCP server of `TOOLS` tools shaped like a big service's (issues, pipelines, deployments…): each a
 * description of a few sentences and a JSON schema of several typed, described parameters.
 */
function writeServer(dir: string): string {
  const sdk = (path: string) =>
    pathToFileURL(join(root, 'node_modules/@modelcontextprotocol/sdk/dist/esm', path)).href;
  const file = join(dir, 'many-tools.mjs');
  writeFileSync(
    file,
    `import { Server } from ${JSON.stringify(sdk('server/index.js'))};
import { StdioServerTransport } from ${JSON.stringify(sdk('server/stdio.js'))};
import { CallToolRequestSchema, ListToolsRequestSchema } from ${JSON.stringify(sdk('types.js'))};

const areas = ['issue', 'pull request', 'pipeline', 'deployment', 'release', 'runner', 'secret', 'webhook',
  'environment', 'artifact', 'package', 'milestone'];
const verbs = ['list', 'get', 'create', 'update', 'delete'];
const tools = [];
for (const area of areas) for (const verb of verbs) {
  const name = verb + '_' + area.replace(/ /g, '_');
  tools.push({
    name,
    description: 'Use this tool to ' + verb + ' ' + area + 's of a project on the team\\'s hosted service. ' +
      'It talks to the service\\'s REST API with the credentials configured for this server and returns the ' +
      area + ' records as JSON, one object per ' + area + ', with their ids, states, owners, labels, timestamps ' +
      'and links. Results are paginated: pass page and per_page to walk them, and filter by state, owner or ' +
      'label to narrow them down. Fails with a clear message when the project does not exist, when the token ' +
      'lacks the scope this call needs, or when the service rate-limits the request; retry after the time it ' +
      'names. Prefer the narrowest filter that answers the question: every record returned costs context.',
    inputSchema: {
      type: 'object',
      properties: {
        project: { type: 'string', description: 'The project, as owner/name.' },
        id: { type: 'integer', description: 'The ' + area + ' id, for a single record.' },
        state: { type: 'string', enum: ['open', 'closed', 'all'], description: 'Only records in this state.' },
        owner: { type: 'string', description: 'Only records owned by this user or team.' },
        labels: { type: 'array', items: { type: 'string' }, description: 'Only records with all these labels.' },
        page: { type: 'integer', minimum: 1, description: 'The page of results, from 1.' },
        per_page: { type: 'integer', minimum: 1, maximum: 100, description: 'Records per page, at most 100.' },
      },
      required: ['project'],
    },
  });
}
const server = new Server({ name: 'team-service', version: '1.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
server.setRequestHandler(CallToolRequestSchema, async (req) => ({
  content: [{ type: 'text', text: 'called ' + req.params.name }],
}));
await server.connect(new StdioServerTransport());
`,
  );
  return file;
}

interface Definitions {
  tools: number;
  mcp: number;
  deferred: number;
  /** Tokens of every definition sent, and of those the API loads into the context (not deferred). */
  sentTokens: number;
  loadedTokens: number;
}

function definitions(req: ReceivedRequest): Definitions {
  const tools = (req.json().tools ?? []) as Array<{ name?: string; defer_loading?: boolean }>;
  const tokens = (list: unknown[]) => countTokens(JSON.stringify(list), 'claude');
  return {
    tools: tools.length,
    mcp: tools.filter((t) => t.name?.startsWith('mcp__team__')).length,
    deferred: tools.filter((t) => t.defer_loading === true).length,
    sentTokens: tokens(tools),
    loadedTokens: tokens(tools.filter((t) => t.defer_loading !== true)),
  };
}

let upstream: FakeUpstream;
beforeAll(async () => {
  if (!skip) upstream = await startFakeUpstream();
});
afterAll(() => upstream?.close());

describe.skipIf(skip)(
  `claude with ${TOOLS} MCP tools under headroom wrap${skipReason(claudeDir, 'claude')}`,
  () => {
    /** The agent turn's tool definitions of one `claude -p` run, with `extra` in its environment. */
    async function run(extra: Record<string, string>): Promise<Definitions> {
      const home = tempDir('e2e-tool-search-home');
      const config = join(home, 'mcp.json');
      writeFileSync(
        config,
        JSON.stringify({ mcpServers: { team: { command: process.execPath, args: [writeServer(home)] } } }),
      );
      const before = upstream.requests.length;
      const result = await runHeadroom(
        [
          'wrap',
          'claude',
          '--',
          '-p',
          'List the open issues of acme/shop.',
          '--mcp-config',
          config,
          '--strict-mcp-config',
        ],
        {
          PATH: `${claudeDir}:${dirname(process.execPath)}:/usr/bin:/bin`,
          HOME: home,
          HEADROOM_CONFIG_DIR: join(home, 'headroom-config'),
          HEADROOM_CACHE_DIR: join(home, 'headroom-cache'),
          HEADROOM_ANTHROPIC_UPSTREAM: upstream.url,
          ANTHROPIC_API_KEY: 'sk-ant-e2e-0000',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          ...extra,
        },
        { cwd: home, timeout: 100_000 },
      );
      expect(result.exitCode, result.stderr).toBe(0);
      const turns = upstream.requests
        .slice(before)
        .filter((req) => req.path.startsWith('/v1/messages') && !req.path.includes('count_tokens'))
        .map(definitions)
        .filter((d) => d.tools > 0);
      expect(turns.length).toBeGreaterThan(0);
      return turns.reduce((a, b) => (b.sentTokens > a.sentTokens ? b : a));
    }

    it('sends the MCP tools deferred when wrap turns tool search on, and in full when the user turned it off', async () => {
      const full = await run({ ENABLE_TOOL_SEARCH: 'false' });
      const searched = await run({});
      console.log(
        `${TOOLS} MCP tools, per request: ${full.tools} definitions, ${full.sentTokens} tokens loaded with tool search off; ` +
          `${searched.tools} definitions (${searched.deferred} deferred), ${searched.loadedTokens} tokens loaded under wrap ` +
          `(${Math.round((1 - searched.loadedTokens / full.loadedTokens) * 100)}% fewer)`,
      );
      expect(full.mcp).toBe(TOOLS);
      expect(full.deferred).toBe(0);
      expect(searched.mcp).toBe(TOOLS);
      expect(searched.deferred).toBe(TOOLS);
      expect(searched.loadedTokens).toBeLessThan(full.loadedTokens / 2);
    });
  },
);
