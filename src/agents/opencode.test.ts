import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opencode } from './opencode.js';

const PROXY = 'http://127.0.0.1:40123/s/ab12cd34';
const temp = (prefix: string) => mkdtempSync(join(tmpdir(), `headroom-opencode-${prefix}-`));

function write(file: string, text: string) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const withBase = (provider: string, baseURL: string) =>
  JSON.stringify({ provider: { [provider]: { options: { baseURL } } } });

/** A private HOME and a git project inside it. */
function setup() {
  const home = temp('home');
  const cwd = join(home, 'src', 'app');
  mkdirSync(join(cwd, '.git'), { recursive: true });
  return { env: { HOME: home }, home, cwd };
}

/** The provider options headroom hands opencode in OPENCODE_CONFIG_CONTENT. */
function launchedOptions(env: Record<string, string>, cwd: string) {
  const plan = opencode.launch(PROXY, env, [], cwd);
  const config = JSON.parse(plan.env.OPENCODE_CONFIG_CONTENT as string);
  return { anthropic: config.provider.anthropic.options, openai: config.provider.openai.options };
}

describe('opencode adapter', () => {
  it('adopts a baseURL from the global ~/.config/opencode/opencode.json', () => {
    const { env, home, cwd } = setup();
    write(
      join(home, '.config', 'opencode', 'opencode.json'),
      withBase('anthropic', 'https://gw.corp/anthropic/v1'),
    );
    expect(opencode.adoptUpstreams(env, cwd, [])).toEqual({
      anthropicUpstream: 'https://gw.corp/anthropic/v1',
    });
    expect(launchedOptions(env, cwd).anthropic).toEqual({ baseURL: `${PROXY}/v1` });
  });

  it('lets the project’s opencode.jsonc, comments and all, beat the global file and OPENCODE_CONFIG', () => {
    const { env, home, cwd } = setup();
    write(join(home, '.config', 'opencode', 'opencode.json'), withBase('openai', 'https://global.gw/v1'));
    const custom = join(home, 'custom.json');
    write(custom, withBase('openai', 'https://custom.gw/v1'));
    const withCustom = { ...env, OPENCODE_CONFIG: custom };
    expect(opencode.adoptUpstreams(withCustom, cwd, [])).toEqual({ openaiUpstream: 'https://custom.gw/v1' });
    write(
      join(cwd, 'opencode.jsonc'),
      '{\n  // the team gateway\n  "provider": { "openai": { "options": { "baseURL": "https://project.gw" } } },\n}\n',
    );
    expect(opencode.adoptUpstreams(withCustom, cwd, [])).toEqual({ openaiUpstream: 'https://project.gw' });
    // That gateway's base has no /v1, so neither has the proxy base opencode is given.
    expect(launchedOptions(withCustom, cwd).openai).toEqual({ baseURL: PROXY });
  });

  it('finds the project config at the git root from a subdirectory', () => {
    const { env, cwd } = setup();
    write(join(cwd, 'opencode.json'), withBase('anthropic', 'https://root.gw/v1'));
    const sub = join(cwd, 'packages', 'web');
    mkdirSync(sub, { recursive: true });
    expect(opencode.adoptUpstreams(env, sub, [])).toEqual({ anthropicUpstream: 'https://root.gw/v1' });
  });

  it('lets OPENCODE_CONFIG_CONTENT beat every file, and keeps the file’s other options', () => {
    const { env, cwd } = setup();
    write(
      join(cwd, 'opencode.json'),
      JSON.stringify({ provider: { anthropic: { options: { baseURL: 'https://file.gw/v1', timeout: 5 } } } }),
    );
    const inline = { ...env, OPENCODE_CONFIG_CONTENT: withBase('anthropic', 'https://inline.gw/v1') };
    expect(opencode.adoptUpstreams(inline, cwd, [])).toEqual({ anthropicUpstream: 'https://inline.gw/v1' });
    // Only baseURL is set over the files; opencode merges the rest of their options itself.
    expect(launchedOptions(inline, cwd).anthropic).toEqual({ baseURL: `${PROXY}/v1` });
  });

  it('sends extra headers in each provider’s options.headers, beside the user’s own', () => {
    const { env, cwd } = setup();
    const user = { provider: { anthropic: { options: { headers: { 'X-Team': 'infra' } } } } };
    const inline = { ...env, OPENCODE_CONFIG_CONTENT: JSON.stringify(user) };
    expect(opencode.canSendHeaders?.(inline, cwd, [])).toBe(true);
    const plan = opencode.launch(PROXY, inline, [], cwd, { 'x-headroom-key': 'k-123' });
    const { provider } = JSON.parse(plan.env.OPENCODE_CONFIG_CONTENT as string);
    expect(provider.anthropic.options.headers).toEqual({ 'X-Team': 'infra', 'x-headroom-key': 'k-123' });
    expect(provider.openai.options.headers).toEqual({ 'x-headroom-key': 'k-123' });
    expect(plan.args).toEqual([]);
  });
});
