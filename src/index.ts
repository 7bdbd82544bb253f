// The library surface of headroom: what `import ... from 'headroom-ai'` offers.

export { type Config, resolveConfig } from './config.js';
export { HeadroomError } from './errors.js';
