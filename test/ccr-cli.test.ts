import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openOriginalStore } from '../src/store/index.js';
import { realOutput } from './helpers/real-outputs.js';

const run = promisify(execFile);
const bin = resolve(import.meta.dirname, '../bin/run.js');

function isolatedEnv() {
  const root = mkdtempSync(join(tmpdir(), 'headroom-cli-'));
  return {
    ...process.env,
    HEADROOM_CACHE_DIR: join(root, 'cache'),
    HEADROOM_CONFIG_DIR: join(root, 'config'),
  };
}

async function headroom(args: string[], env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('headroom retrieve', () => {
  it('exits 1 with one line naming the store when the id is unknown', async () => {
    const env = isolatedEnv();
    const result = await headroom(['retrieve', 'hr_000000000000'], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `headroom: no original hr_000000000000 in ${join(env.HEADROOM_CACHE_DIR, 'originals.db')} (expired or never stored)\n`,
    );
  });

  it('rejects something that is not an id with exit code 2', async () => {
    const result = await headroom(['retrieve', 'not-an-id'], isolatedEnv());
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'headroom: "not-an-id" is not a headroom id (hr_ followed by 12 hex digits)\n',
    );
  });

  it('prints an original stored through the library byte for byte', async () => {
    const env = isolatedEnv();
    const original = realOutput('log-express-debug').text;
    const store = await openOriginalStore({ cacheDir: env.HEADROOM_CACHE_DIR });
    const id = await store.put(original);
    await store.close();
    const result = await headroom(['retrieve', id], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(original);
  });

  it('prints only the matching lines with --query, and the result object with --json', async () => {
    const env = isolatedEnv();
    const store = await openOriginalStore({ cacheDir: env.HEADROOM_CACHE_DIR });
    const id = await store.put('GET /a 200\nPOST /b 500\nGET /c 404\n');
    await store.close();
    const filtered = await headroom(['retrieve', id, '--query', 'post 404'], env);
    expect(filtered.stdout).toBe('2: POST /b 500\n3: GET /c 404\n');
    expect(filtered.stderr).toBe('2 of 3 lines match "post 404"\n');
    const json = await headroom(['retrieve', id, '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      found: true,
      id,
      text: 'GET /a 200\nPOST /b 500\nGET /c 404\n',
    });
  });
});
