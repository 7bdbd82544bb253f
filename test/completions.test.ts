import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<
    string,
    { id: string; hidden?: boolean; flags: Record<string, { name: string; hidden?: boolean }> }
  >;
};
const files = ['completions/headroom.bash', 'completions/_headroom', 'completions/headroom.fish'];

describe('shell completions', () => {
  const visible = Object.values(manifest.commands).filter((c) => !c.hidden);

  it('cover at least the core commands', () => {
    expect(visible.map((c) => c.id)).toEqual(expect.arrayContaining(['config']));
  });

  for (const file of files) {
    it(`${file} names every command and flag in the manifest`, () => {
      const text = readFileSync(join(root, file), 'utf8');
      for (const command of visible) {
        expect(text, `command ${command.id}`).toContain(command.id.replaceAll(':', ' ').split(' ')[0]);
        for (const flag of Object.values(command.flags).filter((f) => !f.hidden)) {
          const needle = file.endsWith('.fish') ? `-l ${flag.name}` : `--${flag.name}`;
          expect(text, `flag --${flag.name} of ${command.id}`).toContain(needle);
        }
      }
    });
  }
});
