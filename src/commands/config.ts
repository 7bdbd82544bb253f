import { Args, Flags } from '@oclif/core';
import { HeadroomCommand } from '../command.js';
import {
  configFilePath,
  LIVE_SETTINGS,
  type LiveSettingName,
  resolveLeniently,
  SETTINGS,
  type SettingName,
  unsetSetting,
  writeSetting,
} from '../config.js';
import { ConfigError, HeadroomError } from '../errors.js';
import { pushRuntimeEnv } from '../proxy/runtime-env-client.js';
import { listRunningProxies } from '../stats/runtime-files.js';

export default class ConfigCommand extends HeadroomCommand {
  static override summary = 'Show or change settings in the headroom config file.';
  static override description =
    'Settings resolve in this order: command-line flags, HEADROOM_* environment variables, the config file, defaults. ' +
    '`list` shows every setting with its value and where it came from.';
  static override examples = [
    '<%= config.bin %> config list',
    '<%= config.bin %> config get port',
    '<%= config.bin %> config set minTokens 500',
    '<%= config.bin %> config set verbosity terse --live',
    '<%= config.bin %> config unset minTokens',
    '<%= config.bin %> config path',
    '<%= config.bin %> config list --json',
  ];
  static override enableJsonFlag = true;
  static override args = {
    action: Args.string({
      description: 'What to do',
      options: ['list', 'get', 'set', 'unset', 'path'],
      default: 'list',
      ignoreStdin: true,
    }),
    name: Args.string({ description: 'Setting name (as in `config list`)', ignoreStdin: true }),
    value: Args.string({ description: 'New value for `set`', ignoreStdin: true }),
  };
  static override flags = {
    'show-secrets': Flags.boolean({ description: 'Print the API key instead of masking it' }),
    live: Flags.boolean({
      description: `With set: also apply the value to every running proxy, without a restart (${LIVE_SETTINGS.join(', ')})`,
    }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(ConfigCommand);
    const mask = (name: string, value: unknown) =>
      name === 'apiKey' && value !== undefined && !flags['show-secrets'] ? '********' : value;
    switch (args.action) {
      case 'path': {
        const file = configFilePath();
        this.log(file);
        return { file };
      }
      case 'get': {
        const name = requireName(args.name);
        const resolved = this.resolveReporting();
        const value = mask(name, resolved.config[name]);
        this.log(formatValue(value));
        return { name, value, source: resolved.sources[name] };
      }
      case 'set': {
        const name = requireName(args.name);
        if (args.value === undefined) throw new ConfigError('`config set` needs a value');
        if (flags.live && !(LIVE_SETTINGS as readonly string[]).includes(name)) {
          throw new ConfigError(
            `${name} cannot change on a running proxy (restart it instead); live: ${LIVE_SETTINGS.join(', ')}`,
          );
        }
        const file = writeSetting(name, args.value);
        this.log(`${name} = ${args.value} (saved to ${file})`);
        const proxies = flags.live ? await this.pushLive(name as LiveSettingName, args.value) : undefined;
        return { name, value: args.value, file, proxies };
      }
      case 'unset': {
        const name = requireName(args.name);
        const file = unsetSetting(name);
        this.log(`${name} removed from ${file}`);
        return { name, file };
      }
      default: {
        const resolved = this.resolveReporting();
        const rows = (Object.keys(SETTINGS) as SettingName[]).map((name) => ({
          name,
          value: mask(name, resolved.config[name]),
          source: resolved.sources[name],
          env: SETTINGS[name].env,
          description: SETTINGS[name].description,
        }));
        for (const row of rows) {
          this.log(
            `${row.name.padEnd(18)} ${formatValue(row.value).padEnd(44)} ${row.source.padEnd(8)} ${row.env}`,
          );
        }
        return { file: resolved.file, settings: rows, problems: resolved.problems };
      }
    }
  }

  /** Push one setting to every proxy the runtime files name; fails (exit 1) when one of them refuses it. */
  private async pushLive(name: LiveSettingName, value: string): Promise<string[]> {
    const { config } = this.resolveReporting();
    const running = listRunningProxies(config.cacheDir);
    if (!running.length) {
      this.log(`no running proxy found in ${config.cacheDir}; the file holds the value for the next start`);
      return [];
    }
    const failures: string[] = [];
    for (const proxy of running) {
      try {
        await pushRuntimeEnv(proxy.url, { [SETTINGS[name].env]: value }, config.apiKey);
        this.log(`applied to the proxy at ${proxy.url} (pid ${proxy.pid})`);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    if (failures.length) throw new HeadroomError(failures.join('; '));
    return running.map((proxy) => proxy.url);
  }

  /** The settings, whatever the file holds: a bad value is reported on stderr with its fix, and its default shown. */
  private resolveReporting() {
    const resolved = resolveLeniently();
    for (const problem of resolved.problems) process.stderr.write(`headroom: ${problem}\n`);
    return resolved;
  }
}

function requireName(name: string | undefined): SettingName {
  if (!name) throw new ConfigError('name a setting (see `headroom config list`)');
  if (!(name in SETTINGS)) {
    throw new ConfigError(`unknown setting "${name}" (known: ${Object.keys(SETTINGS).join(', ')})`);
  }
  return name as SettingName;
}

function formatValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (Array.isArray(value)) return value.join(',') || '(none)';
  return String(value);
}
