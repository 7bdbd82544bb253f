// The composition root: one resolved config in, the product's parts out (the engine with the agents' tool
// policy, the stores the config names, the logger), each made once and closed together. Every command, the
// library and the proxy get their parts here instead of wiring them themselves.

import { agentToolPolicy } from './agents/index.js';
import type { Engine, EngineOptions } from './compress/engine.js';
import type { Config } from './config.js';
import { type Logger, silentLogger } from './log.js';
import { loadEmbedder } from './memory/embeddings.js';
import { Memories, type SemanticSearch } from './memory/memories.js';
import { openMemoryStore, openOriginalStore, openStatsStore } from './store/index.js';
import type { OriginalStore, StatsStore } from './store/types.js';

export interface HeadroomOverrides {
  logger?: Logger;
  /** Use this originals store instead of opening the configured one (its owner closes it). */
  originals?: OriginalStore;
  /** Use this stats store instead of opening the configured one (its owner closes it). */
  stats?: StatsStore;
}

/** Outputs compression ran out of time for once: sent whole on every later request. */
export interface WholeOutputs {
  keys: ReadonlySet<string>;
  /** Add the keys a run reports in `stats.guarded`, here and in the store. */
  keep(keys: readonly string[]): Promise<void>;
}

export interface Headroom {
  readonly config: Config;
  readonly logger: Logger;
  /** The engine, its defaults taken from the config, with its transforms initialised on first use. */
  engine(): Promise<Engine>;
  /** The originals store the config names, opened on first use. */
  originals(): Promise<OriginalStore>;
  /** The stats store the config names, opened on first use; `readOnly` never creates or writes it. */
  stats(options?: { readOnly?: boolean }): Promise<StatsStore>;
  /**
   * The outputs compression ran out of time for, in this process or any other sharing the store (pass it
   * as `sendWhole`), and a way to add the ones a run reports in `stats.guarded`.
   */
  wholeOutputs(): Promise<WholeOutputs>;
  /** The agents' shared memory in the store the config names, opened on first use. */
  memories(): Promise<Memories>;
  /** Close what this instance opened. */
  close(): Promise<void>;
}

/** The engine settings `config` describes, with every agent's editing and reading tools. */
export function engineOptionsFor(config: Config): EngineOptions {
  return {
    ...agentToolPolicy(),
    minTokens: config.minTokens,
    codeMinLines: config.codeMinLines,
    codeMinTokens: config.codeMinTokens,
    budgetBytes: config.budgetBytes,
    budgetMs: config.budgetMs,
    excludeTools: config.excludeTools,
    disableTransforms: config.disableTransforms,
    kompress: {
      mode: config.kompress,
      model: config.kompressModel === '' ? undefined : config.kompressModel,
      targetRatio: config.kompressTargetRatio > 0 ? config.kompressTargetRatio : undefined,
    },
  };
}

/** Search by meaning when `config` names an embedding model that loads; a warning and BM25 alone when not. */
async function semanticSearchFor(config: Config, logger: Logger): Promise<SemanticSearch | undefined> {
  if (config.memoryEmbeddings === '') return undefined;
  try {
    const embedder = await loadEmbedder(config.memoryEmbeddings);
    return {
      embedder,
      minSimilarity: config.memoryMinSimilarity,
      onError: (message) => logger.warn(`headroom: ${message}`),
    };
  } catch (error) {
    logger.warn(`headroom: ${(error as Error).message}; memory search goes on by BM25 alone`);
    return undefined;
  }
}

/** Make the parts `config` describes. */
export async function createHeadroom(config: Config, overrides: HeadroomOverrides = {}): Promise<Headroom> {
  const logger = overrides.logger ?? silentLogger;
  let engine: Promise<Engine> | undefined;
  const opened: Promise<{ close(): Promise<void> }>[] = [];
  const open = <T extends { close(): Promise<void> }>(store: Promise<T>): Promise<T> => {
    opened.push(store);
    return store;
  };
  let originals: Promise<OriginalStore> | undefined;
  let whole: Promise<WholeOutputs> | undefined;
  let memories: Promise<Memories> | undefined;
  // A reader and a writer are different handles on the same store: the reader never creates or writes it.
  const stats = new Map<boolean, Promise<StatsStore>>();
  const headroom: Headroom = {
    config,
    logger,
    engine() {
      // Commands that only read the stores never pay for loading the transforms, nor does a proxy whose
      // compression runs on threads of its own (~12 MB of modules it would hold for nothing).
      engine ??= (async () => {
        const { createEngine } = await import('./compress/engine.js');
        const made = createEngine(engineOptionsFor(config));
        await made.init();
        for (const notice of made.notices()) logger[notice.level](`headroom: ${notice.message}`);
        return made;
      })();
      return engine;
    },
    originals() {
      originals ??= overrides.originals
        ? Promise.resolve(overrides.originals)
        : open(openOriginalStore(config, { onWarning: (message) => logger.warn(`headroom: ${message}`) }));
      return originals;
    },
    stats({ readOnly = false } = {}) {
      let store = stats.get(readOnly);
      if (!store) {
        store = overrides.stats
          ? Promise.resolve(overrides.stats)
          : open(
              openStatsStore(config, {
                readOnly,
                onError: (error) => logger.warn(`headroom: ${error.message}`),
              }),
            );
        stats.set(readOnly, store);
      }
      return store;
    },
    wholeOutputs() {
      whole ??= (async () => {
        const store = await headroom.originals();
        const keys = new Set(await store.wholeOutputs());
        return {
          keys,
          async keep(more: readonly string[]) {
            for (const key of more) keys.add(key);
            if (more.length) await store.keepWhole(more);
          },
        };
      })();
      return whole;
    },
    memories() {
      memories ??= (async () => {
        const store = await open(openMemoryStore(config));
        return new Memories(store, Date.now, await semanticSearchFor(config, logger));
      })();
      return memories;
    },
    async close() {
      const stores = await Promise.allSettled(opened);
      for (const store of stores) if (store.status === 'fulfilled') await store.value.close();
    },
  };
  return headroom;
}
