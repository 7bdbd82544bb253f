// The library surface of headroom: what `import ... from 'headroom-ai'` offers.

export { formatMarker, MARKER_PATTERN, markerIds, originalId } from './ccr/marker.js';
export { countTokens, type EncodingName } from './compress/tokens.js';
export { type Config, resolveConfig } from './config.js';
export { HeadroomError } from './errors.js';
