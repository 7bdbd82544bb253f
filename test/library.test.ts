import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compress, markerIds, openOriginalStore, retrieve } from 'headroom-cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realOutput } from './helpers/real-outputs.js';

// The package as a user installs it: `import ... from 'headroom-cli'` resolves to the built dist/.
const saved = { ...process.env };

beforeAll(() => {
  process.env.HEADROOM_CACHE_DIR = mkdtempSync(join(tmpdir(), 'headroom-lib-cache-'));
  process.env.HEADROOM_CONFIG_DIR = mkdtempSync(join(tmpdir(), 'headroom-lib-config-'));
});

afterAll(() => {
  process.env = saved;
});

function conversation({ question, text }: { question: string; text: string }) {
  return [
    { role: 'user', content: question },
    {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'kubectl logs api-0' } }],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: text }] },
  ];
}

describe('compress() from the package', () => {
  it('shrinks a tool output and keeps the original retrievable from the local store, byte for byte', async () => {
    const log = realOutput('log-express-debug');
    const input = conversation(log);
    const before = JSON.stringify(input);
    const { messages, stats } = await compress(input);
    expect(JSON.stringify(input)).toBe(before);
    const sent = JSON.stringify(messages);
    expect(sent.length).toBeLessThan(before.length / 5);
    expect(stats.tokensAfter).toBeLessThan(stats.tokensBefore);
    const [id] = markerIds(sent);
    expect(id).toMatch(/^hr_[0-9a-f]{12}$/);
    const found = await retrieve(id as string);
    expect(found.found && found.text).toBe(log.text);
  });

  it('keeps nothing when told not to, and the caller gets the originals instead', async () => {
    const log = realOutput('log-npm-ci-offline');
    const store = await openOriginalStore({ cacheDir: mkdtempSync(join(tmpdir(), 'headroom-lib-own-')) });
    try {
      const { messages, originals } = await compress(conversation(log), { store: false });
      const [id] = markerIds(JSON.stringify(messages));
      expect(originals.map((o) => o.text)).toEqual([log.text]);
      expect((await retrieve(id as string, { store })).found).toBe(false);
      expect((await retrieve(id as string)).found).toBe(false);
    } finally {
      await store.close();
    }
  });
});
