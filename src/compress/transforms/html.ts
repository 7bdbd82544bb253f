// HTML pages (WebFetch, curl): converted to readable text with html-to-text, then shortened as text.
// Links keep their targets; scripts, styles and images go, since the model cannot use them.

import { createRequire } from 'node:module';
import { looksLikeHtml } from '../detect.js';
import type { Transform } from '../types.js';
import { text } from './text.js';

// Read the first time a page arrives: a process that never sees HTML never holds the converter (~9 MB).
const require = createRequire(import.meta.url);
let converter: typeof import('html-to-text') | undefined;
const convert: typeof import('html-to-text')['convert'] = (source, options) => {
  converter ??= require('html-to-text') as typeof import('html-to-text');
  return converter.convert(source, options);
};

export const html: Transform = {
  name: 'html',
  kinds: ['html'],
  detect: looksLikeHtml,
  compress(source, ctx) {
    const readable = convert(source, {
      wordwrap: false,
      selectors: [
        { selector: 'img', format: 'skip' },
        { selector: 'script', format: 'skip' },
        { selector: 'style', format: 'skip' },
        { selector: 'a', options: { ignoreHref: false, hideLinkHrefIfSameAsText: true } },
      ],
    }).trim();
    if (readable.length === 0) return undefined;
    const shortened = text.compress(readable, ctx);
    const kept = shortened?.text ?? readable;
    if (kept.length >= source.length) return undefined;
    return { text: kept, summary: `HTML converted to text${shortened ? `; ${shortened.summary}` : ''}` };
  },
};
