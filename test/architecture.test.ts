// The import rules docs/architecture.md states, checked on the source tree: no module imports itself back
// through others (type-only imports included), the engine imports only itself, and the layers below the
// proxy never reach up into it.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');

/** Every source module (tests, contract suites and their fixtures are not part of the layering). */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    if (!/\.(ts|tsx|js)$/.test(entry.name) || /\.(test|contract)\.tsx?$|^fixtures\.ts$/.test(entry.name))
      return [];
    return [path];
  });
}

/** The project modules a file imports (packages and node: builtins left out), as paths relative to src/. */
function importsOf(file: string, known: ReadonlySet<string>): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((ref) => ref.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => {
      const base = resolve(dirname(file), spec);
      const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), base];
      const found = candidates.find((candidate) => known.has(candidate));
      if (!found) throw new Error(`${relative(root, file)} imports ${spec}, which is not a source file`);
      return relative(src, found);
    });
}

const files = sourceFiles(src);
const known = new Set(files);
const graph = new Map(files.map((file) => [relative(src, file), importsOf(file, known)]));
const folderOf = (module: string) => (module.includes('/') ? module.split('/')[0]! : module);

/** Strongly connected components of more than one module, or a module importing itself (Tarjan). */
function cycles(): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** Imports from modules in `folder` to modules in any of `forbidden`. */
function importsBetween(folder: string, forbidden: (target: string) => boolean): string[] {
  return [...graph].flatMap(([module, imports]) =>
    folderOf(module) === folder ? imports.filter(forbidden).map((target) => `${module} -> ${target}`) : [],
  );
}

describe('the source tree', () => {
  it('has modules to check', () => {
    expect(graph.size).toBeGreaterThan(80);
    expect(graph.get('proxy/server.ts')).toContain('headroom.ts');
  });

  it('has no import cycles, type-only imports included', () => {
    expect(cycles()).toEqual([]);
  });

  it('keeps the engine a leaf: compress/ imports only compress/', () => {
    expect(importsBetween('compress', (target) => folderOf(target) !== 'compress')).toEqual([]);
  });

  it('keeps the wire formats, the retrieve tool and the loop of answered tools below the proxy, the stores and the commands', () => {
    const above = new Set([
      'proxy',
      'commands',
      'agents',
      'tui',
      'stats',
      'store',
      'headroom.ts',
      'library.ts',
    ]);
    expect(importsBetween('formats', (target) => above.has(folderOf(target)))).toEqual([]);
    const aboveRetrieve = new Set([
      'proxy',
      'commands',
      'agents',
      'tui',
      'stats',
      'headroom.ts',
      'library.ts',
    ]);
    expect(importsBetween('retrieve', (target) => aboveRetrieve.has(folderOf(target)))).toEqual([]);
    expect(importsBetween('tools', (target) => aboveRetrieve.has(folderOf(target)))).toEqual([]);
  });

  it('keeps the history step below the proxy, the commands and the root', () => {
    const above = new Set(['proxy', 'commands', 'agents', 'tui', 'headroom.ts', 'library.ts']);
    expect(importsBetween('history', (target) => above.has(folderOf(target)))).toEqual([]);
  });

  it('keeps the output step (verbosity, effort, holdout) below the proxy, the commands and the root', () => {
    const above = new Set(['proxy', 'commands', 'agents', 'tui', 'stats', 'headroom.ts', 'library.ts']);
    expect(importsBetween('output', (target) => above.has(folderOf(target)))).toEqual([]);
  });

  it('keeps the stores free of the proxy, the commands, the stats views and the wire formats', () => {
    const above = new Set([
      'proxy',
      'commands',
      'agents',
      'tui',
      'formats',
      'retrieve',
      'headroom.ts',
      'library.ts',
    ]);
    expect(importsBetween('store', (target) => above.has(folderOf(target)))).toEqual([]);
  });

  it('keeps the Copilot login below the proxy, the agents and the commands', () => {
    const above = new Set(['proxy', 'commands', 'agents', 'tui', 'headroom.ts', 'library.ts']);
    expect(importsBetween('copilot', (target) => above.has(folderOf(target)))).toEqual([]);
  });

  it('keeps learning from session logs apart from the proxy: learn/ reads logs and stats rows, nothing live', () => {
    const apart = new Set([
      'proxy',
      'formats',
      'retrieve',
      'history',
      'commands',
      'tui',
      'headroom.ts',
      'library.ts',
    ]);
    expect(importsBetween('learn', (target) => apart.has(folderOf(target)))).toEqual([]);
  });

  it('keeps the MCP server beside the proxy: neither imports the other, and nothing below imports it', () => {
    expect(importsBetween('mcp', (target) => folderOf(target) === 'proxy')).toEqual([]);
    const mcpUsers = [...graph]
      .filter(([module, imports]) => folderOf(module) !== 'mcp' && imports.some((t) => folderOf(t) === 'mcp'))
      .map(([module]) => module);
    expect(mcpUsers.filter((module) => !module.startsWith('commands/'))).toEqual([]);
  });

  it('lets only the commands, the library surface and the entry points use the composition root', () => {
    const users = [...graph]
      .filter(([, imports]) => imports.includes('headroom.ts'))
      .map(([module]) => module);
    expect(
      users.filter(
        (module) =>
          !/^(commands\/|proxy\/server\.ts|mcp\/server\.ts|agents\/wrap\.ts|library\.ts|index\.ts)/.test(
            module,
          ),
      ),
    ).toEqual([]);
  });
});
