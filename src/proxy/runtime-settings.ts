// The settings of a running proxy as one value that changes whole: each request reads the snapshot in effect
// when it starts and keeps it to the end, so a change (`POST /admin/runtime-env`) reaches the requests that
// start after it and never half of one request.

import type { CompressOptions } from '../compress/engine.js';
import {
  type Config,
  LIVE_SETTINGS,
  type LiveSettingName,
  parseLiveValues,
  SETTINGS,
  type SettingName,
  type SettingSource,
} from '../config.js';

/** Where a setting in effect came from: as resolved at start, or set on the running proxy. */
export type RuntimeSource = SettingSource | 'live';

/** The settings one request runs with, frozen. */
export interface SettingsSnapshot {
  /** Counts the changes: 0 at start. */
  readonly version: number;
  readonly config: Readonly<Config>;
  readonly sources: Readonly<Record<SettingName, RuntimeSource>>;
  /** What the engine is given per request: the snapshot's thresholds, budgets, exclusions and switches. */
  readonly compression: Readonly<CompressOptions>;
}

/** What `GET /admin/runtime-env` answers for each live setting, by its environment variable. */
export interface RuntimeEnvEntry {
  setting: LiveSettingName;
  value: Config[LiveSettingName];
  source: RuntimeSource;
}

/** The engine options a config's snapshot gives each request (the engine's own tool policy stays). */
export function compressionOptionsOf(config: Readonly<Config>): CompressOptions {
  return {
    minTokens: config.minTokens,
    codeMinLines: config.codeMinLines,
    codeMinTokens: config.codeMinTokens,
    budgetBytes: config.budgetBytes,
    budgetMs: config.budgetMs,
    excludeTools: [...config.excludeTools],
    disableTransforms: [...config.disableTransforms],
  };
}

function freeze(
  version: number,
  config: Config,
  sources: Record<SettingName, RuntimeSource>,
): SettingsSnapshot {
  return Object.freeze({
    version,
    config: Object.freeze({ ...config }),
    sources: Object.freeze({ ...sources }),
    compression: Object.freeze(compressionOptionsOf(config)),
  });
}

export class RuntimeSettings {
  private snapshot: SettingsSnapshot;
  private readonly listeners = new Set<(snapshot: SettingsSnapshot) => void>();

  constructor(config: Config, sources?: Partial<Record<SettingName, SettingSource>>) {
    const all = {} as Record<SettingName, RuntimeSource>;
    for (const name of Object.keys(SETTINGS) as SettingName[]) all[name] = sources?.[name] ?? 'default';
    this.snapshot = freeze(0, config, all);
  }

  /** The snapshot in effect now: read it once per request and keep it. */
  current(): SettingsSnapshot {
    return this.snapshot;
  }

  /**
   * Apply `HEADROOM_*` values, all or nothing (a bad one throws a ConfigError and nothing changes), to the
   * requests that start from now on.
   */
  apply(values: Readonly<Record<string, unknown>>): SettingsSnapshot {
    const parsed = parseLiveValues(values);
    const names = Object.keys(parsed) as SettingName[];
    if (!names.length) return this.snapshot;
    const sources = { ...this.snapshot.sources };
    for (const name of names) sources[name] = 'live';
    this.snapshot = freeze(this.snapshot.version + 1, { ...this.snapshot.config, ...parsed }, sources);
    for (const listener of this.listeners) listener(this.snapshot);
    return this.snapshot;
  }

  /** Be told of each new snapshot; returns the way to stop. */
  subscribe(listener: (snapshot: SettingsSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The live settings in effect, by environment variable, with where each came from. */
  describe(): Record<string, RuntimeEnvEntry> {
    const { config, sources } = this.snapshot;
    const entries: Record<string, RuntimeEnvEntry> = {};
    for (const name of LIVE_SETTINGS)
      entries[SETTINGS[name].env] = { setting: name, value: config[name], source: sources[name] };
    return entries;
  }
}
