// The library surface of headroom: what `import ... from 'headroom-cli'` offers.

export type { CompressOptions, CompressTextOptions, Engine, EngineOptions } from './compress/engine.js';
export { createEngine } from './compress/engine.js';
export { formatMarker, isOriginalId, MARKER_PATTERN, markerIds, originalId } from './compress/marker.js';
export type {
  BlockStats,
  CompressStats,
  CompressTextResult,
  Original,
  SkipReason,
} from './compress/results.js';
export { countTokens, type EncodingName } from './compress/tokens.js';
export type { Kind, ToolOutput, TransformName } from './compress/types.js';
export { type Config, resolveConfig } from './config.js';
export { HeadroomError } from './errors.js';
export { type CompressedBody, compressRequestBody } from './formats/request.js';
export type { FormatName } from './formats/types.js';
export { createHeadroom, type Headroom, type HeadroomOverrides } from './headroom.js';
export {
  type CompressResult,
  compress,
  type LibraryCompressOptions,
  retrieve,
  saveOriginals,
} from './library.js';
export { createLogger, type Logger, type LoggerOptions, type LogLevel } from './log.js';
export {
  type ProxyOptions,
  type ProxySession,
  type RunningProxy,
  startProxy,
} from './proxy/server.js';
export type { MissingOriginal, RetrievedOriginal, RetrieveOptions, RetrieveResult } from './retrieve/read.js';
export { RETRIEVE_TOOL, RETRIEVE_TOOL_NAME } from './retrieve/tool.js';
export type { StatsEvents } from './stats/events.js';
export type { SessionSummary, Totals as StatsTotals } from './stats/report.js';
export type { StatsFilter } from './store/filter.js';
export {
  type NewRequestRow,
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
