// Settings: flags over HEADROOM_* variables over the config file over defaults, values checked, the
// config directory private.

import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SWITCHABLE_TRANSFORMS } from './compress/defaults.js';
import { TRANSFORMS } from './compress/transforms/index.js';
import { isLoopbackHost, resolveConfig, resolveLeniently, writeSetting } from './config.js';
import { ConfigError } from './errors.js';

function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { HEADROOM_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'headroom-config-')), ...extra };
}

describe('resolveConfig', () => {
  it('uses defaults when nothing is set', () => {
    const { config, sources } = resolveConfig({}, isolatedEnv());
    expect(config.port).toBe(8787);
    expect(config.host).toBe('127.0.0.1');
    expect(config.compress).toBe(true);
    expect(config.history).toBe('cold');
    expect(sources.port).toBe('default');
  });

  it('lets flags beat the environment, and the environment beat the config file', () => {
    const env = isolatedEnv({ HEADROOM_PORT: '9000', HEADROOM_HOST: '127.0.0.2' });
    writeSetting('port', '7000', env);
    writeSetting('host', '127.0.0.3', env);
    writeSetting('minTokens', '500', env);
    const { config, sources } = resolveConfig({ port: 1234 }, env);
    expect(config.port).toBe(1234);
    expect(sources.port).toBe('flag');
    expect(config.host).toBe('127.0.0.2');
    expect(sources.host).toBe('env');
    expect(config.minTokens).toBe(500);
    expect(sources.minTokens).toBe('file');
  });

  it('parses booleans and lists from the environment', () => {
    const env = isolatedEnv({ HEADROOM_COMPRESS: '0', HEADROOM_EXCLUDE_TOOLS: 'Read, Grep' });
    const { config } = resolveConfig({}, env);
    expect(config.compress).toBe(false);
    expect(config.excludeTools).toEqual(['Read', 'Grep']);
  });

  it('rejects a value it cannot use with a message naming the variable', () => {
    expect(() => resolveConfig({}, isolatedEnv({ HEADROOM_PORT: 'eighty' }))).toThrow(/HEADROOM_PORT/);
    expect(() => resolveConfig({}, isolatedEnv({ HEADROOM_PORT: 'eighty' }))).toThrow(ConfigError);
  });

  it('writes the config file readable only by its owner', () => {
    const env = isolatedEnv();
    const file = writeSetting('apiKey', 'secret', env);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const fresh = {
      HEADROOM_CONFIG_DIR: join(mkdtempSync(join(tmpdir(), 'headroom-config-')), 'new', 'dir'),
    };
    writeSetting('apiKey', 'secret', fresh);
    expect(statSync(fresh.HEADROOM_CONFIG_DIR).mode & 0o777).toBe(0o700);
  });
});

describe('checking values', () => {
  it('refuses on set what it would refuse on read, and leaves the file as it was', () => {
    const env = isolatedEnv();
    const refused: Array<[string, string, RegExp]> = [
      ['logLevel', 'verbose', /one of error, warn, info, debug/],
      ['port', '70000', /from 0 to 65535/],
      ['port', '80.5', /whole number/],
      ['anthropicUpstream', 'api.anthropic.com', /http:\/\/ or https:\/\/ URL/],
      ['disableTransforms', 'json,diagnostics', /a list of json, /],
      ['retrieveMaxRounds', '1000', /from 0 to 20/],
      ['history', 'sometimes', /one of off, cold, always/],
    ];
    for (const [name, value, why] of refused) {
      expect(() => writeSetting(name, value, env), `${name}=${value}`).toThrow(why);
    }
    expect(resolveLeniently({}, env).problems).toEqual([]);
    writeSetting('logLevel', 'DEBUG', env);
    expect(resolveConfig({}, env).config.logLevel).toBe('debug');
    expect(resolveConfig({}, { ...env, HEADROOM_HISTORY: 'Off' }).config.history).toBe('off');
  });

  it('reports a bad value already in the file with its fix, and takes the default for it', () => {
    const env = isolatedEnv();
    writeFileSync(
      join(env.HEADROOM_CONFIG_DIR as string, 'config.json'),
      '{"logLevel":"verbose","port":70000}',
    );
    expect(() => resolveConfig({}, env)).toThrow('(fix: headroom config unset port)');
    const lenient = resolveLeniently({}, env);
    expect(lenient.config.logLevel).toBe('info');
    expect(lenient.config.port).toBe(8787);
    expect(lenient.problems).toEqual([
      'config file entry "port" must be a whole number from 0 to 65535, got "70000" (fix: headroom config unset port)',
      'config file entry "logLevel" must be one of error, warn, info, debug, got "verbose" (fix: headroom config unset logLevel)',
    ]);
    expect(() => resolveConfig({}, { ...env, HEADROOM_PORT: '99999', HEADROOM_LOG_LEVEL: 'warn' })).toThrow(
      'HEADROOM_PORT must be a whole number from 0 to 65535, got "99999" (fix: unset HEADROOM_PORT)',
    );
    expect(() => resolveConfig({ port: 99999 }, isolatedEnv())).toThrow('--port must be');
  });

  it('names every transform there is among those that can be switched off', () => {
    expect([...SWITCHABLE_TRANSFORMS].sort()).toEqual([...TRANSFORMS.map((t) => t.name), 'dedup'].sort());
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback from other addresses', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.10')).toBe(false);
  });
});
