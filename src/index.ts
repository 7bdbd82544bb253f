// The library surface of headroom: what `import ... from 'headroom-ai'` offers.

export { formatMarker, isOriginalId, MARKER_PATTERN, markerIds, originalId } from './compress/marker.js';
export {
  type MissingOriginal,
  type RetrievedOriginal,
  type RetrieveOptions,
  type RetrieveResult,
  retrieve,
} from './ccr/retrieve.js';
export { RETRIEVE_TOOL_NAME, retrieveToolDefinition } from './ccr/tool.js';
export {
  type BlockStats,
  type CompressBodyResult,
  type CompressOptions,
  type CompressResult,
  type CompressStats,
  type CompressTextOptions,
  type CompressTextResult,
  compressRequestBody,
  compressText,
  type SkipReason,
} from './compress/pipeline.js';
export { countTokens, type EncodingName } from './compress/tokens.js';
export type { Kind, TransformName } from './compress/types.js';
export { type Config, resolveConfig } from './config.js';
export { HeadroomError } from './errors.js';
export { compress, type LibraryCompressOptions } from './library.js';
export { createLogger, type Logger, type LoggerOptions, type LogLevel } from './log.js';
export type { WireFormat } from './providers/types.js';
export {
  type ProxyOptions,
  type ProxySession,
  type RunningProxy,
  startProxy,
} from './proxy/server.js';
export {
  type Original,
  type OriginalStore,
  type OriginalStoreOptions,
  type OriginalStoreStats,
  openOriginalStore,
  saveOriginals,
} from './store/originals.js';
export {
  type NewRequestRow,
  type RequestRow,
  type SessionSummary,
  type StatsFilter,
  StatsStore,
  type StatsTotals,
  statsDbPath,
} from './store/stats.js';
