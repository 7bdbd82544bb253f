// The transforms headroom applies, one per kind of content. Adding one = a file and a line here.

import type { Kind, Transform, TransformName } from '../types.js';
import { diff } from './diff.js';
import { html } from './html.js';
import { json } from './json.js';
import { logs } from './logs.js';
import { search } from './search.js';
import { text } from './text.js';

/** Every transform by name. */
export const TRANSFORMS: Readonly<Record<TransformName, Transform>> = {
  json,
  logs,
  search,
  diff,
  html,
  text,
};

/** The transform for a kind of content; code has none yet and passes untouched. */
export function transformFor(kind: Kind): Transform | undefined {
  return kind === 'code' ? undefined : TRANSFORMS[kind];
}
