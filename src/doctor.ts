// `headroom doctor`: which optional parts are configured and whether they load (the Kompress model, the code
// transform's tree-sitter grammars, the memory's embedding model, the store), the settings in effect and where
// each came from, and whether a proxy answers. A part that is configured and fails to load makes the report fail.

import { grammarFailures, loadGrammars } from './compress/transforms/code-grammars.js';
import { LANGUAGES, type LanguageName } from './compress/transforms/code-languages.js';
import { loadModel } from './compress/transforms/kompress-model.js';
import { type ResolvedConfig, SETTINGS, type SettingName, type SettingSource } from './config.js';
import { loadEmbedder } from './memory/embeddings.js';
import { listRunningProxies } from './stats/runtime-files.js';
import { openOriginalStore, openStatsStore } from './store/index.js';

/** One part's state: `ok` loads, `off` is not configured (or switched off), `failed` is configured and does not load. */
export interface Check {
  part: 'config' | 'kompress' | 'grammars' | 'embeddings' | 'store' | 'proxy';
  state: 'ok' | 'off' | 'failed';
  detail: string;
}

export interface DoctorReport {
  checks: Check[];
  /** Every setting not at its default, with where it came from (the API key shown as set, never its value). */
  settings: { name: SettingName; value: unknown; source: SettingSource }[];
  configFile: string;
  /** True when a configured part failed to load. */
  failed: boolean;
}

async function kompressCheck(config: ResolvedConfig['config']): Promise<Check> {
  if (config.kompress === 'off')
    return { part: 'kompress', state: 'off', detail: 'switched off (kompress=off)' };
  if (config.kompressModel === '') {
    return {
      part: 'kompress',
      state: config.kompress === 'on' ? 'failed' : 'off',
      detail: 'no model configured (HEADROOM_KOMPRESS_MODEL); prose goes to the text rules',
    };
  }
  try {
    const model = await loadModel(config.kompressModel);
    return {
      part: 'kompress',
      state: 'ok',
      detail: `${config.kompressModel} loads (${model.shape} output, ${model.maxLength} tokens per chunk)`,
    };
  } catch (error) {
    return { part: 'kompress', state: 'failed', detail: (error as Error).message };
  }
}

async function embeddingsCheck(config: ResolvedConfig['config']): Promise<Check> {
  if (config.memoryEmbeddings === '') {
    return {
      part: 'embeddings',
      state: 'off',
      detail: 'no model configured (HEADROOM_MEMORY_EMBEDDINGS); memory search is BM25 alone',
    };
  }
  try {
    const embedder = await loadEmbedder(config.memoryEmbeddings);
    const [vector] = await embedder.embed(['headroom']);
    return {
      part: 'embeddings',
      state: 'ok',
      detail: `${config.memoryEmbeddings} loads (${vector?.length ?? 0}-wide vectors)`,
    };
  } catch (error) {
    return { part: 'embeddings', state: 'failed', detail: (error as Error).message };
  }
}

async function grammarsCheck(config: ResolvedConfig['config']): Promise<Check> {
  if (config.disableTransforms.includes('code')) {
    return { part: 'grammars', state: 'off', detail: 'the code transform is switched off' };
  }
  await loadGrammars();
  const failures = grammarFailures();
  const loaded = (Object.keys(LANGUAGES) as LanguageName[]).filter((name) => !failures.has(name));
  if (failures.size === 0) return { part: 'grammars', state: 'ok', detail: `${loaded.join(', ')} load` };
  const failed = [...failures].map(([name, why]) => `${name} (${why})`).join(', ');
  return { part: 'grammars', state: 'failed', detail: `${failed} do not load; ${loaded.length} others do` };
}

async function storeCheck(config: ResolvedConfig['config']): Promise<Check> {
  const warnings: string[] = [];
  try {
    const originals = await openOriginalStore(config, { onWarning: (message) => warnings.push(message) });
    const stats = await openStatsStore(config, { readOnly: true });
    await Promise.all([originals.close(), stats.close()]);
    if (!originals.persistent || warnings.length > 0) {
      return {
        part: 'store',
        state: 'failed',
        detail: `${config.store} at ${originals.location}: ${warnings.join('; ') || 'kept in memory only'}`,
      };
    }
    return { part: 'store', state: 'ok', detail: `${config.store} at ${originals.location} opens` };
  } catch (error) {
    return { part: 'store', state: 'failed', detail: (error as Error).message };
  }
}

/** Whether a proxy answers /health: the ones this cache dir lists as running, else the configured address. */
async function proxyCheck(config: ResolvedConfig['config']): Promise<Check> {
  const listed = listRunningProxies(config.cacheDir).map((info) => info.url);
  const urls = listed.length > 0 ? listed : [`http://${config.host}:${config.port}`];
  const answers = await Promise.all(
    urls.map(async (url) => {
      try {
        const response = await fetch(`${url}/health`, {
          headers: config.apiKey ? { 'x-headroom-key': config.apiKey } : {},
          signal: AbortSignal.timeout(2000),
        });
        await response.arrayBuffer();
        return response.ok ? `${url} answers` : `${url} answers ${response.status}`;
      } catch {
        return undefined;
      }
    }),
  );
  const up = answers.filter((answer): answer is string => answer !== undefined);
  // No proxy running is a state, not a fault: `headroom wrap` starts its own.
  if (up.length === 0) return { part: 'proxy', state: 'off', detail: `none answers at ${urls.join(', ')}` };
  return { part: 'proxy', state: 'ok', detail: up.join(', ') };
}

/** Check every optional part `resolved` configures; `problems` are settings that did not parse. */
export async function diagnose(
  resolved: ResolvedConfig & { problems: readonly string[] },
): Promise<DoctorReport> {
  const { config, sources } = resolved;
  const configCheck: Check =
    resolved.problems.length === 0
      ? { part: 'config', state: 'ok', detail: `${resolved.file} and the environment parse` }
      : { part: 'config', state: 'failed', detail: resolved.problems.join('; ') };
  const checks = [
    configCheck,
    await kompressCheck(config),
    await grammarsCheck(config),
    await embeddingsCheck(config),
    await storeCheck(config),
    await proxyCheck(config),
  ];
  const settings = (Object.keys(SETTINGS) as SettingName[])
    .filter((name) => sources[name] !== 'default')
    .map((name) => ({ name, value: name === 'apiKey' ? '(set)' : config[name], source: sources[name] }));
  return {
    checks,
    settings,
    configFile: resolved.file,
    failed: checks.some((check) => check.state === 'failed'),
  };
}
