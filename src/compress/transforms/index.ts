// The transforms headroom applies, in detection order: the first whose `detect` accepts a block names its
// kind, and every transform that handles that kind is tried in this order. Adding one = a file and a line here.

import type { Detector, Kind, Sample, Transform } from '../types.js';
import { code } from './code.js';
import { diff } from './diff.js';
import { html } from './html.js';
import { json } from './json.js';
import { kompress } from './kompress.js';
import { logs } from './logs.js';
import { paths } from './paths.js';
import { search } from './search.js';
import { text } from './text.js';

/** Every detector and transform, in detection order (text accepts anything, so it comes last). */
export const REGISTRY: readonly (Transform | Detector)[] = [
  json,
  diff,
  html,
  search,
  logs,
  code,
  paths,
  kompress,
  text,
];

const isTransform = (entry: Transform | Detector): entry is Transform => 'compress' in entry;

/** Every transform, in registry order. */
export const TRANSFORMS: readonly Transform[] = REGISTRY.filter(isTransform);

/** The kind of a block: the first kind of the first detector that accepts its sample. */
export function detectKind(sample: Sample): Kind {
  return REGISTRY.find((entry) => entry.detect(sample))?.kinds[0] ?? 'text';
}

/** The transforms that handle `kind`, in the order they are tried (an HTML page that stays long goes as text). */
export function transformsFor(kind: Kind): Transform[] {
  return TRANSFORMS.filter((transform) => transform.kinds.includes(kind));
}
