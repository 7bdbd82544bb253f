// Detection: each kind of real output is recognised as what it holds, from a sample of its first lines.

import { describe, expect, it } from 'vitest';
import { corpusItems, itWithCorpus } from '../../test/helpers/corpus.js';
import { detectKind } from '../../test/helpers/engine.js';
import { realOutput, realOutputs } from '../../test/helpers/real-outputs.js';

/** The kind of content each category of output holds: build output reads as logs, listings as search hits. */
const KIND_OF: Record<string, string> = {
  json: 'json',
  logs: 'logs',
  build: 'logs',
  search: 'search',
  shell: 'search',
  diff: 'diff',
  code: 'code',
  text: 'text',
};

describe('detect', () => {
  itWithCorpus('classifies every corpus item as the kind of content it holds', () => {
    for (const item of corpusItems())
      expect([item.name, detectKind(item.text)]).toEqual([item.name, KIND_OF[item.category]]);
  });

  for (const item of realOutputs()) {
    it(`classifies ${item.name} as ${KIND_OF[item.category]}`, () => {
      expect(detectKind(item.text)).toBe(KIND_OF[item.category]);
    });
  }

  it('recognises an HTML page but not a README that opens with an HTML banner', () => {
    expect(detectKind('<!DOCTYPE html><html><body><p>hi</p></body></html>')).toBe('html');
    const readme = realOutput('text-node-fetch-readme').text;
    expect(readme.startsWith('<div align="center">')).toBe(true);
    expect(detectKind(readme)).toBe('text');
  });
});
