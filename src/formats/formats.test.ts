// Every registered wire format against the one contract, each with the fixtures of its own folder: a format
// added to FORMATS without `<name>/fixtures.ts` fails here.

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeWireFormat, type FormatFixtures } from './format.contract.js';
import { FORMATS } from './index.js';

/** The fixtures of a format's folder, or undefined when it has none. */
async function fixturesOf(name: string): Promise<FormatFixtures | undefined> {
  const path = `./${name}/fixtures.ts`;
  if (!existsSync(new URL(path, import.meta.url))) return undefined;
  const module: { fixtures?: FormatFixtures } = await import(path);
  return module.fixtures;
}

for (const format of FORMATS) {
  const fixtures = await fixturesOf(format.name);
  if (fixtures) describeWireFormat(format, fixtures);
  else
    describe(`wire format contract: ${format.name}`, () => {
      it('has its fixtures beside it', () => {
        expect.fail(`src/formats/${format.name}/fixtures.ts must export \`fixtures\`, a FormatFixtures`);
      });
    });
}
