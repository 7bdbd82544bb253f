// The composition root: one resolved config in, the product's parts out (the engine with the agents' tool
// policy, the stores the config names, the logger), each made once and closed together. Every command, the
// library and the proxy get their parts here instead of wiring them themselves.

import { agentToolPolicy } from './agents/index.js';
import { createEngine, type Engine } from './compress/engine.js';
import type { Config } from './config.js';
import { type Logger, silentLogger } from './log.js';
import { openOriginalStore, originalStoreOptions } from './store/originals.js';
import { StatsStore, statsDbPath } from './store/stats.js';
import type { OriginalStore } from './store/types.js';

export interface HeadroomOverrides {
  logger?: Logger;
  /** Use this originals store instead of opening the configured one (its owner closes it). */
  originals?: OriginalStore;
  /** Use this stats store instead of opening the configured one (its owner closes it). */
  stats?: StatsStore;
}

export interface Headroom {
  readonly config: Config;
  readonly logger: Logger;
  /** The engine, its defaults taken from the config; transforms are initialised. */
  readonly engine: Engine;
  /** The originals store, opened on first use. */
  originals(): OriginalStore;
  /** The stats store, opened on first use. */
  stats(): StatsStore;
  /** Close what this instance opened. */
  close(): Promise<void>;
}

/** An engine configured the way `config` says, knowing every agent's editing and reading tools. */
export function engineFor(config: Config): Engine {
  return createEngine({
    ...agentToolPolicy(),
    minTokens: config.minTokens,
    budgetMs: config.budgetMs,
    excludeTools: config.excludeTools,
    disableTransforms: config.disableTransforms,
  });
}

/** Make the parts `config` describes. */
export async function createHeadroom(config: Config, overrides: HeadroomOverrides = {}): Promise<Headroom> {
  const logger = overrides.logger ?? silentLogger;
  const engine = engineFor(config);
  await engine.init();
  let originals: OriginalStore | undefined;
  let stats: StatsStore | undefined;
  return {
    config,
    logger,
    engine,
    originals() {
      originals ??=
        overrides.originals ??
        openOriginalStore({
          ...originalStoreOptions(config),
          onWarning: (message) => logger.warn(`headroom: ${message}`),
        });
      return originals;
    },
    stats() {
      stats ??=
        overrides.stats ??
        new StatsStore(statsDbPath(config.cacheDir), { onError: (error) => logger.warn(error.message) });
      return stats;
    },
    async close() {
      if (originals && originals !== overrides.originals) originals.close();
      if (stats && stats !== overrides.stats) stats.close();
    },
  };
}
