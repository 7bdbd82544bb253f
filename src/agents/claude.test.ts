import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claude, claudeHeadersProblem, claudeRoutingProblem, claudeSettingsLayers } from './claude.js';

const PROXY = 'http://127.0.0.1:40123/s/ab12cd34';
const temp = (prefix: string) => mkdtempSync(join(tmpdir(), `headroom-claude-${prefix}-`));

function writeSettings(file: string, baseUrl: string) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ model: 'opus', env: { ANTHROPIC_BASE_URL: baseUrl } }));
}

/** A private HOME and project, with the given settings files written under them. */
function setup(files: { user?: string; project?: string; local?: string } = {}) {
  const home = temp('home');
  const cwd = temp('project');
  if (files.user) writeSettings(join(home, '.claude', 'settings.json'), files.user);
  if (files.project) writeSettings(join(cwd, '.claude', 'settings.json'), files.project);
  if (files.local) writeSettings(join(cwd, '.claude', 'settings.local.json'), files.local);
  return { env: { HOME: home }, cwd };
}

describe('claude adapter', () => {
  it('adopts the gateway in ~/.claude/settings.json over ANTHROPIC_BASE_URL in the environment', () => {
    const { env, cwd } = setup({ user: 'https://gw.corp/anthropic' });
    const shell = { ...env, ANTHROPIC_BASE_URL: 'https://shell.example' };
    expect(claude.adoptUpstreams(shell, cwd, [])).toEqual({ anthropicUpstream: 'https://gw.corp/anthropic' });
  });

  it('lets project settings beat user settings, and local settings beat both', () => {
    const both = setup({ user: 'https://user.gw', project: 'https://project.gw' });
    expect(claude.adoptUpstreams(both.env, both.cwd, [])).toEqual({
      anthropicUpstream: 'https://project.gw',
    });
    const all = setup({ user: 'https://user.gw', project: 'https://project.gw', local: 'https://local.gw' });
    expect(claude.adoptUpstreams(all.env, all.cwd, [])).toEqual({ anthropicUpstream: 'https://local.gw' });
  });

  it('reads the user settings from CLAUDE_CONFIG_DIR when it is set', () => {
    const { cwd } = setup();
    const dir = temp('config');
    writeSettings(join(dir, 'settings.json'), 'https://configdir.gw');
    expect(claude.adoptUpstreams({ HOME: temp('home'), CLAUDE_CONFIG_DIR: dir }, cwd, [])).toEqual({
      anthropicUpstream: 'https://configdir.gw',
    });
  });

  it('launches with --settings pointing at the proxy when a settings file sets the base URL', () => {
    const { env, cwd } = setup({ user: 'https://gw.corp/anthropic' });
    const plan = claude.launch(PROXY, env, ['-p', 'hi'], cwd);
    expect(plan.env).toEqual({ ANTHROPIC_BASE_URL: PROXY, ENABLE_TOOL_SEARCH: 'true' });
    expect(plan.args).toEqual([
      '--settings',
      JSON.stringify({ env: { ANTHROPIC_BASE_URL: PROXY } }),
      '-p',
      'hi',
    ]);
  });

  it('adds no --settings when only the environment names a gateway', () => {
    const { env, cwd } = setup();
    const plan = claude.launch(PROXY, { ...env, ANTHROPIC_BASE_URL: 'https://gw' }, ['-p', 'hi'], cwd);
    expect(plan.args).toEqual(['-p', 'hi']);
  });

  it('adopts a base URL the user’s own --settings sets, and points that flag at the proxy instead', () => {
    const { env, cwd } = setup({ user: 'https://user.gw' });
    const inline = JSON.stringify({
      permissions: { allow: ['Bash'] },
      env: { ANTHROPIC_BASE_URL: 'https://flag.gw' },
    });
    expect(claude.adoptUpstreams(env, cwd, ['--settings', inline])).toEqual({
      anthropicUpstream: 'https://flag.gw',
    });
    const args = claude.launch(PROXY, env, ['--settings', inline, '-p', 'hi'], cwd).args;
    expect(args).toHaveLength(4);
    expect(JSON.parse(args[1] as string)).toEqual({
      permissions: { allow: ['Bash'] },
      env: { ANTHROPIC_BASE_URL: PROXY },
    });
    // A settings file named relative to the project works the same way.
    writeSettings(join(cwd, 'gw.json'), 'https://file.gw');
    expect(claude.adoptUpstreams(env, cwd, ['--settings=gw.json'])).toEqual({
      anthropicUpstream: 'https://file.gw',
    });
    const [flag] = claude.launch(PROXY, env, ['--settings=gw.json'], cwd).args;
    expect(JSON.parse((flag as string).slice('--settings='.length)).env).toEqual({
      ANTHROPIC_BASE_URL: PROXY,
    });
  });

  it('refuses in one line when managed settings set the base URL, since nothing overrides them', () => {
    const { env, cwd } = setup({ user: 'https://user.gw' });
    const managed = join(temp('etc'), 'managed-settings.json');
    expect(claudeRoutingProblem(claudeSettingsLayers(env, cwd, [], managed))).toBeUndefined();
    writeSettings(managed, 'https://managed.gw');
    const problem = claudeRoutingProblem(claudeSettingsLayers(env, cwd, [], managed));
    expect(problem).toContain(managed);
    expect(problem).toContain('env.ANTHROPIC_BASE_URL');
    expect(problem).not.toContain('\n');
  });

  it('sends extra headers in ANTHROPIC_CUSTOM_HEADERS, after the ones the user set there', () => {
    const { env, cwd } = setup();
    const shell = { ...env, ANTHROPIC_CUSTOM_HEADERS: 'X-Team: infra' };
    expect(claude.canSendHeaders?.(shell, cwd, [])).toBe(true);
    const plan = claude.launch(PROXY, shell, ['-p', 'hi'], cwd, { 'x-headroom-key': 'k-123' });
    expect(plan.env).toEqual({
      ANTHROPIC_BASE_URL: PROXY,
      ENABLE_TOOL_SEARCH: 'true',
      ANTHROPIC_CUSTOM_HEADERS: 'X-Team: infra\nx-headroom-key: k-123',
    });
    expect(plan.args.join(' ')).not.toContain('k-123');
    expect(claude.launch(PROXY, shell, [], cwd).env).toEqual({
      ANTHROPIC_BASE_URL: PROXY,
      ENABLE_TOOL_SEARCH: 'true',
    });
  });

  it('sends extra headers in a private --settings file when a settings layer sets ANTHROPIC_CUSTOM_HEADERS', () => {
    const { env, cwd } = setup();
    const file = join(cwd, '.claude', 'settings.local.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ env: { ANTHROPIC_CUSTOM_HEADERS: 'X-Team: infra' } }));
    expect(claude.canSendHeaders?.(env, cwd, [])).toBe(true);
    const dir = temp('private');
    const plan = claude.launch(PROXY, env, ['-p', 'hi'], cwd, { 'x-headroom-key': 'k-123' }, () => dir);
    expect(plan.args.slice(0, 1)).toEqual(['--settings']);
    expect(plan.args.slice(2)).toEqual(['-p', 'hi']);
    expect(plan.args.join(' ')).not.toContain('k-123');
    const written = plan.args[1]!;
    expect(written.startsWith(dir)).toBe(true);
    expect(statSync(written).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(written, 'utf8'))).toEqual({
      env: { ANTHROPIC_BASE_URL: PROXY, ANTHROPIC_CUSTOM_HEADERS: 'X-Team: infra\nx-headroom-key: k-123' },
    });
    // The user's own --settings that sets them is rewritten in place, with its other settings kept.
    const inline = JSON.stringify({ model: 'opus', env: { ANTHROPIC_CUSTOM_HEADERS: 'X-Team: infra' } });
    const own = claude.launch(
      PROXY,
      env,
      ['--settings', inline, '-p', 'hi'],
      temp('project'),
      { 'x-headroom-key': 'k-123' },
      () => temp('private'),
    );
    expect(own.args[0]).toBe('--settings');
    expect(own.args.slice(2)).toEqual(['-p', 'hi']);
    expect(JSON.parse(readFileSync(own.args[1]!, 'utf8'))).toMatchObject({
      model: 'opus',
      env: { ANTHROPIC_CUSTOM_HEADERS: 'X-Team: infra\nx-headroom-key: k-123' },
    });
  });

  it('cannot add a header to ANTHROPIC_CUSTOM_HEADERS that managed settings set, and names them', () => {
    const { env, cwd } = setup();
    const managed = join(temp('etc'), 'managed-settings.json');
    writeFileSync(managed, JSON.stringify({ env: { ANTHROPIC_CUSTOM_HEADERS: 'X-Org: 1' } }));
    const problem = claudeHeadersProblem(claudeSettingsLayers(env, cwd, [], managed));
    expect(problem).toContain(`managed settings (${managed}) set env.ANTHROPIC_CUSTOM_HEADERS`);
    expect(problem).not.toContain('\n');
    expect(
      claudeHeadersProblem(claudeSettingsLayers(env, cwd, [], join(temp('etc'), 'none.json'))),
    ).toBeUndefined();
  });

  it('ignores a settings file that is not JSON', () => {
    const { env, cwd } = setup();
    mkdirSync(join(cwd, '.claude'));
    writeFileSync(join(cwd, '.claude', 'settings.json'), '{ "env": ');
    expect(claude.adoptUpstreams(env, cwd, [])).toEqual({});
  });
});
