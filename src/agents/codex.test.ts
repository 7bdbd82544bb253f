import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { codex, codexAdapter, codexConfig, codexUserProvider } from './codex.js';

const PROXY = 'http://127.0.0.1:40123/s/ab12cd34';
const temp = (prefix: string) => mkdtempSync(join(tmpdir(), `headroom-codex-${prefix}-`));

const GATEWAY = `
model = "gpt-5"
model_provider = "corp"

[model_providers.corp]
name = "Corp gateway"
base_url = "https://gw.corp/openai/v1"
env_key = "CORP_KEY"
wire_api = "chat"
query_params = { "api-version" = "2025-04-01" }
http_headers = { "X-Team" = "infra" }
env_http_headers = { "X-Project" = "CORP_PROJECT" }
`;

/** A private CODEX_HOME holding `files` (name → TOML text). */
function codexHome(files: Record<string, string>) {
  const home = temp('home');
  mkdirSync(join(home, '.codex'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(home, '.codex', name), text);
  return { HOME: home, OPENAI_API_KEY: 'sk-x' };
}

/** The provider table headroom passes with `-c`, read back as Codex would. */
function headroomProvider(args: string[]) {
  const override = args.find((arg) => arg.startsWith('model_providers.headroom='));
  return parse(`value = ${override?.slice('model_providers.headroom='.length)}`).value;
}

const cwd = temp('project');

describe('codex adapter', () => {
  it('adopts the base_url of the model provider config.toml selects', () => {
    const env = codexHome({ 'config.toml': GATEWAY });
    expect(codex.adoptUpstreams(env, cwd, [])).toEqual({ openaiUpstream: 'https://gw.corp/openai/v1' });
  });

  it('copies the user’s provider, key, wire API, headers and query, with base_url at the proxy', () => {
    const env = codexHome({ 'config.toml': GATEWAY });
    const { args } = codex.launch(PROXY, env, ['exec', 'hi'], cwd);
    expect(args.slice(0, 2)).toEqual(['-c', 'model_provider="headroom"']);
    expect(headroomProvider(args)).toEqual({
      name: 'Corp gateway',
      base_url: `${PROXY}/v1`,
      env_key: 'CORP_KEY',
      wire_api: 'chat',
      query_params: { 'api-version': '2025-04-01' },
      http_headers: { 'X-Team': 'infra' },
      env_http_headers: { 'X-Project': 'CORP_PROJECT' },
    });
    expect(args.slice(-2)).toEqual(['exec', 'hi']);
  });

  it('keeps the proxy base without /v1 when the gateway’s own base has none', () => {
    const env = codexHome({ 'config.toml': GATEWAY.replace('/openai/v1', '/openai') });
    expect(headroomProvider(codex.launch(PROXY, env, [], cwd).args)).toMatchObject({ base_url: PROXY });
  });

  it('follows --profile to $CODEX_HOME/<name>.config.toml', () => {
    const env = codexHome({
      'config.toml': GATEWAY,
      'staging.config.toml':
        'model_provider = "stage"\n[model_providers.stage]\nbase_url = "https://stage.gw/v1"\n',
    });
    expect(codex.adoptUpstreams(env, cwd, ['--profile', 'staging'])).toEqual({
      openaiUpstream: 'https://stage.gw/v1',
    });
    expect(codex.adoptUpstreams(env, cwd, [])).toEqual({ openaiUpstream: 'https://gw.corp/openai/v1' });
  });

  it('follows an older config’s profile to its [profiles.<name>] table', () => {
    const legacy = `profile = "stage"\n[profiles.stage]\nmodel_provider = "corp"\n${GATEWAY.replace('model_provider = "corp"', '')}`;
    const env = codexHome({ 'config.toml': legacy });
    expect(codex.adoptUpstreams(env, cwd, [])).toEqual({ openaiUpstream: 'https://gw.corp/openai/v1' });
  });

  it('takes -c overrides of the provider, and drops the user’s provider choice from the arguments', () => {
    const env = codexHome({ 'config.toml': GATEWAY });
    const userArgs = [
      '-c',
      'model_providers.corp.base_url="https://other.gw/v1"',
      '-c',
      'model_provider=corp',
      'exec',
      'hi',
    ];
    expect(codex.adoptUpstreams(env, cwd, userArgs)).toEqual({ openaiUpstream: 'https://other.gw/v1' });
    const { args } = codex.launch(PROXY, env, userArgs, cwd);
    expect(args.slice(4)).toEqual([
      '-c',
      'model_providers.corp.base_url="https://other.gw/v1"',
      'exec',
      'hi',
    ]);
    const inline = [
      '-c',
      'model_provider="x"',
      '-c',
      'model_providers.x={base_url="https://x.gw",wire_api="responses"}',
    ];
    expect(codex.adoptUpstreams(codexHome({}), cwd, inline)).toEqual({ openaiUpstream: 'https://x.gw' });
  });

  it('reads the system layer under the user config: a provider set in /etc/codex/config.toml, the user config winning', () => {
    const system = join(temp('etc'), 'config.toml');
    writeFileSync(system, GATEWAY);
    const plain = codexHome({ 'config.toml': 'model = "gpt-5.5"\n' });
    expect(codexUserProvider(plain, [], { system })).toMatchObject({ base_url: 'https://gw.corp/openai/v1' });
    expect(codexConfig(plain, [], { system })).toMatchObject({ model: 'gpt-5.5', model_provider: 'corp' });
    const own = codexHome({
      'config.toml':
        'model_provider = "mine"\n[model_providers.mine]\nbase_url = "https://mine.example/v1"\n',
    });
    expect(codexUserProvider(own, [], { system })).toMatchObject({ base_url: 'https://mine.example/v1' });
    expect(codexUserProvider(plain, [], { system: join(temp('etc'), 'none.toml') })).toBeUndefined();
  });

  describe('under /etc/codex/managed_config.toml, which Codex ranks above every -c override', () => {
    const managedAt = (text: string) => {
      const managed = join(temp('etc'), 'managed_config.toml');
      writeFileSync(managed, text);
      return { system: join(temp('etc'), 'none.toml'), managed };
    };

    it('points the provider it selects at the proxy when that provider’s address comes from the user config', () => {
      const files = managedAt('model_provider = "corp"\n');
      const adapter = codexAdapter(files);
      const env = codexHome({
        'config.toml': GATEWAY.replace('model_provider = "corp"', 'model_provider = "other"'),
      });
      expect(adapter.cannotRoute?.(env, cwd, [])).toBeUndefined();
      expect(adapter.adoptUpstreams(env, cwd, [])).toEqual({ openaiUpstream: 'https://gw.corp/openai/v1' });
      const { args } = adapter.launch(PROXY, env, [], cwd);
      expect(args.slice(0, 2)).toEqual(['-c', 'model_provider="corp"']);
      const table = args[3] ?? '';
      expect(table.startsWith('model_providers.corp=')).toBe(true);
      expect(parse(`value = ${table.slice('model_providers.corp='.length)}`).value).toMatchObject({
        name: 'Corp gateway',
        base_url: `${PROXY}/v1`,
        env_key: 'CORP_KEY',
        wire_api: 'chat',
      });
    });

    it('refuses in one line when it sets the provider’s address itself, or selects a built-in provider', () => {
      const pinned = managedAt(
        'model_provider = "corp"\n[model_providers.corp]\nbase_url = "https://gw.corp/v1"\n',
      );
      const env = codexHome({ 'config.toml': 'model = "gpt-5"\n' });
      expect(codexAdapter(pinned).cannotRoute?.(env, cwd, [])).toBe(
        `${pinned.managed} sets model_providers.corp.base_url, which Codex ranks above any -c override, so its requests would bypass the proxy`,
      );
      expect(codexUserProvider(env, [], pinned)).toMatchObject({ base_url: 'https://gw.corp/v1' });
      const builtIn = managedAt('model_provider = "openai"\n');
      expect(codexAdapter(builtIn).cannotRoute?.(env, cwd, [])).toBe(
        `${builtIn.managed} selects Codex's built-in provider "openai", whose address no -c override can change`,
      );
    });

    it('wins over the user’s -c overrides, as in Codex', () => {
      const files = managedAt('model = "gpt-5.5-managed"\n');
      const env = codexHome({ 'config.toml': 'model = "gpt-5"\n' });
      expect(codexConfig(env, ['-c', 'model="gpt-4.1"'], files)).toMatchObject({ model: 'gpt-5.5-managed' });
      expect(codexAdapter(files).cannotRoute?.(env, cwd, [])).toBeUndefined();
    });
  });

  it('keeps the built-in provider when config.toml selects none, or one without a base_url', () => {
    const env = codexHome({ 'config.toml': 'model = "gpt-5"\n' });
    expect(codex.adoptUpstreams(env, cwd, [])).toEqual({});
    expect(headroomProvider(codex.launch(PROXY, env, [], cwd).args)).toEqual({
      name: 'headroom',
      base_url: `${PROXY}/v1`,
      env_key: 'OPENAI_API_KEY',
      wire_api: 'responses',
    });
    expect(codex.adoptUpstreams(codexHome({ 'config.toml': 'model_provider = "oss"\n' }), cwd, [])).toEqual(
      {},
    );
    expect(codex.adoptUpstreams(codexHome({ 'config.toml': 'not [toml' }), cwd, [])).toEqual({});
  });

  it('sends extra headers through env_http_headers, with their values in the environment only', () => {
    const env = codexHome({ 'config.toml': GATEWAY });
    expect(codex.canSendHeaders?.(env, cwd, [])).toBe(true);
    const plan = codex.launch(PROXY, env, ['exec', 'hi'], cwd, { 'x-headroom-key': 'k-123' });
    expect(headroomProvider(plan.args)).toMatchObject({
      http_headers: { 'X-Team': 'infra' },
      env_http_headers: { 'X-Project': 'CORP_PROJECT', 'x-headroom-key': 'HEADROOM_HEADER_X_HEADROOM_KEY' },
    });
    expect(plan.env).toEqual({ OPENAI_BASE_URL: `${PROXY}/v1`, HEADROOM_HEADER_X_HEADROOM_KEY: 'k-123' });
    expect(plan.args.join(' ')).not.toContain('k-123');
  });
});
