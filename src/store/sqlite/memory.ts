// The embedded memory store: one SQLite file (`memory.db`) beside the other stores, shared by every headroom
// process on the machine. Memories are searched with FTS5 (BM25 ranking, Porter stemming), and the memory
// block each conversation turn was sent with is kept so the turn never changes once sent.

import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HeadroomError } from '../../errors.js';
import { ensurePrivateDir } from '../../private-dir.js';
import { STORE_DEFAULTS } from '../defaults.js';
import { vectorBytes, vectorOf } from '../packing.js';
import type { Memory, MemoryFilter, MemoryHit, MemoryStore } from '../types.js';
import { switchToWal } from './wal.js';

export const MEMORY_FILE = 'memory.db';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS memories (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    text TEXT NOT NULL,
    hash TEXT NOT NULL,
    agent TEXT,
    agents TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL,
    confirmations INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS memories_by_hash ON memories (scope, hash);
  CREATE INDEX IF NOT EXISTS memories_by_time ON memories (updated_ts);
  CREATE VIRTUAL TABLE IF NOT EXISTS memories_fts USING fts5(
    id UNINDEXED, text, tokenize = 'porter unicode61 remove_diacritics 2'
  );
  CREATE TABLE IF NOT EXISTS turn_blocks (
    key TEXT PRIMARY KEY,
    block TEXT NOT NULL,
    kept_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS turn_blocks_by_time ON turn_blocks (kept_at);
  CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, hash)
  );
`;

const TURN_BLOCK_MS = STORE_DEFAULTS.turnBlockDays * 24 * 3600_000;
// Turn blocks kept between two passes that drop the expired ones (a pass also runs on open).
const PRUNE_EVERY = 1000;

interface Row {
  id: string;
  scope: string;
  text: string;
  hash: string;
  agent: string | null;
  agents: string;
  created_ts: number;
  updated_ts: number;
  confirmations: number;
}

function memoryOf(row: Row): Memory {
  let agents: string[] = [];
  try {
    const parsed: unknown = JSON.parse(row.agents);
    if (Array.isArray(parsed)) agents = parsed.map(String);
  } catch {
    // A damaged list costs the provenance, not the memory.
  }
  return {
    id: row.id,
    scope: row.scope,
    text: row.text,
    hash: row.hash,
    agent: row.agent,
    agents,
    createdTs: row.created_ts,
    updatedTs: row.updated_ts,
    confirmations: row.confirmations,
  };
}

const rowOf = (m: Memory) => ({
  id: m.id,
  scope: m.scope,
  text: m.text,
  hash: m.hash,
  agent: m.agent,
  agents: JSON.stringify(m.agents),
  created_ts: m.createdTs,
  updated_ts: m.updatedTs,
  confirmations: m.confirmations,
});

/**
 * An FTS5 query matching any word of `text`: each word quoted, so what the model or a user typed is never
 * read as query syntax. Undefined when the text has no words.
 */
export function ftsQuery(text: string): string | undefined {
  const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])].filter((w) => w.length > 1);
  return words.length ? words.map((word) => `"${word}"`).join(' OR ') : undefined;
}

/** Open (creating if needed) `memory.db` in `dir`; a HeadroomError when it cannot be opened. */
export function openSqliteMemoryStore(dir: string, now: () => number = Date.now): MemoryStore {
  const location = join(dir, MEMORY_FILE);
  try {
    ensurePrivateDir(dir);
    // Created 0600 before SQLite opens it: memories are what users told their agents.
    if (!existsSync(location)) closeSync(openSync(location, 'a', 0o600));
    chmodSync(location, 0o600);
    const db = new Database(location, { timeout: 5000 });
    switchToWal(db, 5000);
    db.exec(SCHEMA);
    return new SqliteMemoryStore(db, location, now);
  } catch (error) {
    throw new HeadroomError(`cannot open the memory store ${location}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

class SqliteMemoryStore implements MemoryStore {
  private readonly sql;

  constructor(
    private readonly db: Database.Database,
    readonly location: string,
    private readonly now: () => number,
  ) {
    this.sql = {
      insert: db.prepare(
        `INSERT INTO memories (id, scope, text, hash, agent, agents, created_ts, updated_ts, confirmations)
         VALUES (@id, @scope, @text, @hash, @agent, @agents, @created_ts, @updated_ts, @confirmations)`,
      ),
      replace: db.prepare(
        `UPDATE memories SET scope = @scope, text = @text, hash = @hash, agent = @agent, agents = @agents,
         created_ts = @created_ts, updated_ts = @updated_ts, confirmations = @confirmations WHERE id = @id`,
      ),
      indexText: db.prepare('INSERT INTO memories_fts (id, text) VALUES (?, ?)'),
      unindex: db.prepare('DELETE FROM memories_fts WHERE id = ?'),
      get: db.prepare<[string], Row>('SELECT * FROM memories WHERE id = ?'),
      byHash: db.prepare<[string, string], Row>(
        'SELECT * FROM memories WHERE scope = ? AND hash = ? ORDER BY created_ts, id LIMIT 1',
      ),
      list: db.prepare<[string | null, string | null, number], Row>(
        'SELECT * FROM memories WHERE (? IS NULL OR scope = ?) ORDER BY updated_ts DESC, id LIMIT ?',
      ),
      search: db.prepare<[string, string | null, string | null, number], Row & { score: number }>(
        `SELECT m.*, bm25(memories_fts) AS score FROM memories_fts JOIN memories m ON m.id = memories_fts.id
         WHERE memories_fts MATCH ? AND (? IS NULL OR m.scope = ?) ORDER BY score, m.id LIMIT ?`,
      ),
      delete: db.prepare('DELETE FROM memories WHERE id = ?'),
      turnBlock: db.prepare<[string], { block: string }>('SELECT block FROM turn_blocks WHERE key = ?'),
      keepTurnBlock: db.prepare(
        'INSERT INTO turn_blocks (key, block, kept_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING',
      ),
      pruneTurnBlocks: db.prepare('DELETE FROM turn_blocks WHERE kept_at < ?'),
      vector: db.prepare<[string, string], { vector: Buffer }>(
        'SELECT vector FROM vectors WHERE model = ? AND hash = ?',
      ),
      keepVector: db.prepare(
        'INSERT INTO vectors (model, hash, vector) VALUES (?, ?, ?) ON CONFLICT (model, hash) DO NOTHING',
      ),
      forgetVectors: db.prepare<[string, string]>(
        'DELETE FROM vectors WHERE hash = ? AND NOT EXISTS (SELECT 1 FROM memories WHERE hash = ?)',
      ),
    };
    this.pruneTurnBlocks();
    // Vectors are made from memories' words only: one no memory holds was left by a memory deleted before
    // vectors went with them.
    db.prepare('DELETE FROM vectors WHERE hash NOT IN (SELECT hash FROM memories)').run();
  }

  private keptSincePrune = 0;

  private pruneTurnBlocks(): void {
    this.keptSincePrune = 0;
    this.sql.pruneTurnBlocks.run(this.now() - TURN_BLOCK_MS);
  }

  async insert(memory: Memory): Promise<void> {
    this.db.transaction(() => {
      this.sql.insert.run(rowOf(memory));
      this.sql.indexText.run(memory.id, memory.text);
    })();
  }

  async replace(memory: Memory): Promise<void> {
    this.db.transaction(() => {
      const before = this.sql.get.get(memory.id);
      this.sql.replace.run(rowOf(memory));
      this.sql.unindex.run(memory.id);
      this.sql.indexText.run(memory.id, memory.text);
      if (before && before.hash !== memory.hash) this.sql.forgetVectors.run(before.hash, before.hash);
    })();
  }

  async get(id: string): Promise<Memory | undefined> {
    const row = this.sql.get.get(id);
    return row && memoryOf(row);
  }

  async byHash(scope: string, hash: string): Promise<Memory | undefined> {
    const row = this.sql.byHash.get(scope, hash);
    return row && memoryOf(row);
  }

  async list({ scope, limit = 1_000_000 }: MemoryFilter = {}): Promise<Memory[]> {
    return this.sql.list.all(scope ?? null, scope ?? null, limit).map(memoryOf);
  }

  async search(query: string, { scope, limit = 10 }: MemoryFilter = {}): Promise<MemoryHit[]> {
    const match = ftsQuery(query);
    if (!match) return [];
    return this.sql.search
      .all(match, scope ?? null, scope ?? null, limit)
      .map((row) => ({ ...memoryOf(row), score: row.score }));
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction(() => {
      const row = this.sql.get.get(id);
      this.sql.unindex.run(id);
      const deleted = this.sql.delete.run(id).changes > 0;
      // A vector is made from the memory's words: it goes with the last memory that holds them.
      if (row) this.sql.forgetVectors.run(row.hash, row.hash);
      return deleted;
    })();
  }

  async vectors(model: string, hashes: readonly string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    for (const hash of hashes) {
      const row = this.sql.vector.get(model, hash);
      if (row) found.set(hash, vectorOf(row.vector));
    }
    return found;
  }

  async keepVectors(model: string, vectors: ReadonlyMap<string, Float32Array>): Promise<void> {
    this.db.transaction(() => {
      for (const [hash, vector] of vectors) {
        this.sql.keepVector.run(model, hash, vectorBytes(vector));
      }
    })();
  }

  async turnBlock(key: string): Promise<string | undefined> {
    return this.sql.turnBlock.get(key)?.block;
  }

  async keepTurnBlock(key: string, block: string): Promise<void> {
    this.sql.keepTurnBlock.run(key, block, this.now());
    if (++this.keptSincePrune >= PRUNE_EVERY) this.pruneTurnBlocks();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
