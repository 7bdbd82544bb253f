// The library surface of headroom: what `import ... from 'headroom-ai'` offers.

export { formatMarker, isOriginalId, MARKER_PATTERN, markerIds, originalId } from './ccr/marker.js';
export type { MissingOriginal, RetrievedOriginal, RetrieveResult } from './ccr/retrieve.js';
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
export {
  compress,
  type LibraryCompressOptions,
  type LibraryRetrieveOptions as RetrieveOptions,
  retrieve,
  saveOriginals,
} from './library.js';
export { createLogger, type Logger, type LoggerOptions, type LogLevel } from './log.js';
export type { WireFormat } from './providers/types.js';
export {
  type ProxyOptions,
  type ProxySession,
  type RunningProxy,
  startProxy,
} from './proxy/server.js';
export type { StatsEvents } from './stats/events.js';
export type { StatsFilter } from './stats/filter.js';
export type { SessionSummary, Totals as StatsTotals } from './stats/report.js';
export {
  type NewRequestRow,
  type Original,
  type OriginalStore,
  type OriginalStoreOptions,
  type OriginalStoreStats,
  openOriginalStore,
  openStatsStore,
  type RequestRow,
  type RowsPage,
  type SessionInfo,
  type StatsStore,
  type StatsStoreOptions,
  type StoreSettings,
} from './store/index.js';
