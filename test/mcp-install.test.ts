// `headroom mcp install | uninstall | status` on temporary HOMEs holding configs as users keep them (other
// servers, comments, keys headroom does not know): only headroom's entry changes, a second run changes
// nothing, uninstall gives the file back as it was, and a file that does not parse is left alone.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, root, runHeadroom, tempDir } from './helpers/wrap.js';

const server = { command: process.execPath, args: [bin, 'mcp', 'serve'] };

function machine(extra: Record<string, string> = {}) {
  const home = tempDir('mcp-install');
  const project = join(home, 'project');
  mkdirSync(project);
  const env: Record<string, string> = {
    PATH: '/usr/bin:/bin',
    HOME: home,
    HEADROOM_CONFIG_DIR: join(home, 'headroom-config'),
    HEADROOM_CACHE_DIR: join(home, 'headroom-cache'),
    ...extra,
  };
  const put = (file: string, text: string) => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };
  const headroom = (...args: string[]) => runHeadroom(['mcp', ...args], env, { cwd: project });
  return { home, project, env, put, headroom };
}

const backupsOf = (file: string) =>
  readdirSync(dirname(file)).filter((name) => name.startsWith(`${file.split('/').at(-1)}.headroom-`));

const CODEX_CONFIG = `# Codex settings
model = "gpt-5-codex"  # the default model
approval_policy = "on-request"

[mcp_servers.docs]
command = "npx"
args = ["-y", "@acme/docs-mcp"]   # pinned by hand
startup_timeout_sec = 20

[profiles.fast]
model = "gpt-5-mini"
`;

describe('headroom mcp install', () => {
  it('adds headroom to Codex config.toml under CODEX_HOME, keeping comments and other servers, once', async () => {
    const m = machine();
    const codexHome = join(m.home, 'codex-home');
    m.env.CODEX_HOME = codexHome;
    const file = m.put(join(codexHome, 'config.toml'), CODEX_CONFIG);

    const first = await m.headroom('install', '--agent', 'codex');
    expect(first.exitCode).toBe(0);
    const [backup] = backupsOf(file);
    expect(first.stdout).toBe(`Codex: headroom added in ${file} (backup: ${join(codexHome, backup ?? '')})`);
    expect(readFileSync(join(codexHome, backup ?? ''), 'utf8')).toBe(CODEX_CONFIG);
    const written = readFileSync(file, 'utf8');
    // Everything the user wrote is there as written, headroom's table among the servers.
    expect(written.replace(/\[mcp_servers\.headroom\]\n(?:[^\n]+\n)*\n/, '')).toBe(CODEX_CONFIG);
    expect(written).toContain(
      `[mcp_servers.headroom]\ncommand = ${JSON.stringify(server.command)}\nargs = [${server.args.map((a) => JSON.stringify(a)).join(', ')}]\n`,
    );

    const again = await m.headroom('install', '--agent', 'codex');
    expect(again.stdout).toBe(`Codex: already registered in ${file}, nothing to change`);
    expect(readFileSync(file, 'utf8')).toBe(written);
    expect(backupsOf(file)).toHaveLength(1);

    const status = await m.headroom('status', '--agent', 'codex', '--json');
    expect(JSON.parse(status.stdout).agents).toEqual([
      expect.objectContaining({
        agent: 'codex',
        file,
        registered: true,
        command: [server.command, ...server.args],
      }),
    ]);

    const removed = await m.headroom('uninstall', '--agent', 'codex');
    expect(removed.stdout).toMatch(new RegExp(`^Codex: headroom removed from ${file} \\(backup: `));
    expect(readFileSync(file, 'utf8')).toBe(CODEX_CONFIG);
  });

  it('brings an outdated entry up to date and keeps what the user added to it', async () => {
    const m = machine();
    const file = m.put(
      join(m.home, '.codex', 'config.toml'),
      '[mcp_servers.headroom]\ncommand = "/old/headroom"  # moved since\nargs = ["mcp", "serve"]\nenv = { HEADROOM_MIN_TOKENS = "500" }\n',
    );
    const result = await m.headroom('install', '--agent', 'codex');
    expect(result.stdout).toMatch(/^Codex: headroom updated in /);
    const written = readFileSync(file, 'utf8');
    expect(written).toContain(`command = ${JSON.stringify(server.command)}`);
    expect(written).toContain('env = { HEADROOM_MIN_TOKENS = "500" }');
  });

  it('writes Claude Code user servers to .claude.json in CLAUDE_CONFIG_DIR, unknown keys untouched', async () => {
    const m = machine();
    const dir = join(m.home, 'claude-config');
    m.env.CLAUDE_CONFIG_DIR = dir;
    const original = `${JSON.stringify(
      {
        numStartups: 12,
        theme: 'dark',
        mcpServers: { github: { type: 'http', url: 'https://api.example.com/mcp' } },
        projects: { '/home/me/app': { allowedTools: [] } },
      },
      null,
      2,
    )}\n`;
    const file = m.put(join(dir, '.claude.json'), original);
    const result = await m.headroom('install', '--agent', 'claude');
    expect(result.exitCode).toBe(0);
    const config = JSON.parse(readFileSync(file, 'utf8'));
    expect(config).toEqual({
      ...JSON.parse(original),
      mcpServers: { ...JSON.parse(original).mcpServers, headroom: { type: 'stdio', ...server, env: {} } },
    });
    await m.headroom('uninstall', '--agent', 'claude');
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('edits Gemini CLI settings.json with comments, and OpenCode opencode.jsonc', async () => {
    const m = machine();
    const gemini = m.put(
      join(m.home, '.gemini', 'settings.json'),
      '{\n  // chosen in the settings dialog\n  "theme": "GitHub",\n  "mcpServers": {\n    "docs": {\n      "command": "docs-mcp",\n      "trust": true\n    }\n  }\n}\n',
    );
    const opencode = m.put(
      join(m.home, '.config', 'opencode', 'opencode.jsonc'),
      '{\n  "$schema": "https://opencode.ai/config.json",\n  // my models\n  "model": "anthropic/claude-sonnet-4-5",\n}\n',
    );
    const result = await m.headroom('install', '--agent', 'gemini', '--agent', 'opencode');
    expect(result.exitCode).toBe(0);
    const geminiText = readFileSync(gemini, 'utf8');
    expect(geminiText).toContain('// chosen in the settings dialog');
    expect(geminiText).toContain(
      '    "docs": {\n      "command": "docs-mcp",\n      "trust": true\n    },\n    "headroom": {',
    );
    const opencodeText = readFileSync(opencode, 'utf8');
    expect(opencodeText).toContain('// my models');
    expect(opencodeText).toContain('"type": "local"');
    const status = JSON.parse((await m.headroom('status', '--json')).stdout).agents as {
      agent: string;
      registered: boolean;
      command: string[] | null;
    }[];
    expect(status.filter((s) => s.registered).map((s) => [s.agent, s.command])).toEqual([
      ['gemini', [server.command, ...server.args]],
      ['opencode', [server.command, ...server.args]],
    ]);
  });

  it('registers with the agents found on the machine when none is named', async () => {
    const m = machine();
    mkdirSync(join(m.home, '.cursor'));
    const result = await m.headroom('install');
    expect(result.stdout).toBe(`Cursor: headroom added in ${join(m.home, '.cursor', 'mcp.json')}`);
    expect(JSON.parse(readFileSync(join(m.home, '.cursor', 'mcp.json'), 'utf8'))).toEqual({
      mcpServers: { headroom: server },
    });
  });

  it("writes the project's config with --scope project, and says Codex has none", async () => {
    const m = machine();
    const result = await m.headroom('install', '--agent', 'cursor', '--agent', 'codex', '--scope', 'project');
    expect(result.stdout.split('\n')).toEqual([
      `Cursor: headroom added in ${join(m.project, '.cursor', 'mcp.json')}`,
      'Codex: Codex reads MCP servers from $CODEX_HOME/config.toml only (use --scope user)',
    ]);
  });

  it('writes nothing on --dry-run', async () => {
    const m = machine();
    const file = m.put(join(m.home, '.codex', 'config.toml'), CODEX_CONFIG);
    const result = await m.headroom('install', '--agent', 'codex', '--dry-run');
    expect(result.stdout).toBe(`Codex: headroom would be added in ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(CODEX_CONFIG);
    expect(backupsOf(file)).toEqual([]);
  });

  it('refuses a file it cannot parse, saying why, and leaves it as it was', async () => {
    const m = machine();
    const broken = '[mcp_servers.docs\ncommand = "npx"\n';
    const file = m.put(join(m.home, '.codex', 'config.toml'), broken);
    const result = await m.headroom('install', '--agent', 'codex');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^headroom: cannot read ${file}: .+; fix it or move it aside, nothing was changed\\n?$`),
    );
    expect(readFileSync(file, 'utf8')).toBe(broken);
    const json = m.put(join(m.home, '.gemini', 'settings.json'), '{ "theme": "dark", }}');
    const gemini = await m.headroom('install', '--agent', 'gemini');
    expect(gemini.exitCode).toBe(1);
    expect(gemini.stderr).toBe(
      `headroom: cannot read ${json}: EndOfFileExpected at line 1, column 21; fix it or move it aside, nothing was changed`,
    );
    expect(existsSync(`${json}.bak`)).toBe(false);
  });

  it('names the agents it knows when given another', async () => {
    const result = await runHeadroom(
      ['mcp', 'install', '--agent', 'vim'],
      { PATH: '/usr/bin:/bin', HOME: tempDir('x') },
      { cwd: root },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'headroom: unknown agent "vim" (known: claude, codex, gemini, cursor, opencode, all)',
    );
  });
});
