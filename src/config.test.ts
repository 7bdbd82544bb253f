// Settings: flags over HEADROOM_* variables over the config file over defaults, values checked, the
// config directory private.

import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, resolveConfig, writeSetting } from './config.js';
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

describe('isLoopbackHost', () => {
  it('knows loopback from other addresses', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.10')).toBe(false);
  });
});
