// Real tool outputs made at run time, in the shape of the shared corpus: npm, git, grep, ls, find, tsc and
// an express server really run on the packages this repository installs, so no output is stored in it.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CorpusItem } from './corpus.js';

/** A tool output with the question an agent asks about it and the exact substrings the answer needs. */
export type RealOutput = CorpusItem;

type Generated = Omit<RealOutput, 'name'>;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The environment of a program run for its output: no colours, no user git config, no npm script state. */
function programEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|VITEST|NODE_ENV$|NODE_OPTIONS$|FORCE_COLOR$|DEBUG)/i.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    LC_ALL: 'C',
    NO_COLOR: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    ...extra,
  };
}

interface Run {
  cwd?: string;
  env?: Record<string, string>;
  /** Exit codes that mean the program did what it was asked (git diff exits 1 when the files differ). */
  exitCodes?: number[];
}

/** Run a program and return what it printed on stdout and stderr. */
function run(command: string, args: string[], options: Run = {}): { stdout: string; stderr: string } {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? root,
    env: programEnv(options.env),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  const ok = options.exitCodes ?? [0];
  if (result.error || result.status === null || !ok.includes(result.status)) {
    const why =
      result.error?.message ?? `exit ${result.status ?? result.signal}: ${result.stderr.slice(-2000)}`;
    throw new Error(
      `${command} ${args.join(' ')} failed (${why}); the real outputs need the dev install (npm ci)`,
    );
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

function withTempDir<T>(use: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-real-output-'));
  try {
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const packageDir = (path: string) => join(root, 'node_modules', path);
const versionOf = (path: string): string =>
  (JSON.parse(readFileSync(join(packageDir(path), 'package.json'), 'utf8')) as { version: string }).version;

/** The lines of `text` that `keep` selects. */
function linesWhere(text: string, keep: (line: string) => boolean): string[] {
  return text.split('\n').filter(keep);
}

/** The lines of a Markdown section, its heading first, up to the next heading of the same or a higher level. */
function markdownSection(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  const level = heading.match(/^#+/)?.[0].length ?? 0;
  if (start < 0 || level === 0) return [];
  const end = lines.findIndex(
    (line, i) => i > start && /^#+ /.test(line) && (line.match(/^#+/)?.[0].length ?? 0) <= level,
  );
  return lines.slice(start, end < 0 ? undefined : end);
}

/** The first dependency-tree node named `name` in an `npm ls --json` tree, depth first. */
function findInTree(node: NpmTreeNode, name: string): NpmTreeNode | undefined {
  for (const [child, value] of Object.entries(node.dependencies ?? {})) {
    if (child === name && value.version) return value;
    const found = findInTree(value, name);
    if (found) return found;
  }
  return undefined;
}

interface NpmTreeNode {
  version?: string;
  dependencies?: Record<string, NpmTreeNode>;
}

/** The added and removed lines of one file's section of a git diff, by the file's path on the new side. */
function changedLinesOf(diff: string, path: string): string[] {
  const sections = diff.split(/^(?=diff --git )/m);
  const section = sections.find((s) => s.split('\n', 1)[0]?.endsWith(` b/${path}`)) ?? '';
  return linesWhere(section, (l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));
}

/** `git diff --no-index` between two installed versions of a package, asked what its package.json changed. */
function packageVersionsDiff(name: string, from: string, to: string): Generated {
  const text = run(
    'git',
    ['diff', '--no-index', '--no-color', '--no-ext-diff', `node_modules/${from}`, `node_modules/${to}`],
    { exitCodes: [0, 1] },
  ).stdout;
  return {
    category: 'diff',
    text,
    question: `What changed in ${name}'s package.json from ${versionOf(from)} to ${versionOf(to)}: its version, entry point and supported Node versions?`,
    needles: changedLinesOf(text, `node_modules/${to}/package.json`).filter((l) =>
      /"(version|main|node)":/.test(l),
    ),
  };
}

// An express app from the installed packages, logging through `debug` as `DEBUG=...` asks; a few orders
// throw and a few bodies are broken JSON, so express prints their stack traces among routine lines.
const EXPRESS_SERVER = `
const express = require('express');
const app = express();
app.use(express.json());
app.get('/items/:id', (req, res) => res.json({ id: Number(req.params.id) }));
app.get('/orders/:id', (req, res) => {
  if (req.params.id % 97 === 13) throw new RangeError('order ' + req.params.id + ' has no line items');
  res.json({ id: Number(req.params.id), lines: 3 });
});
app.post('/orders', (req, res) => res.status(201).json(req.body));
const server = app.listen(0, '127.0.0.1', async () => {
  const base = 'http://127.0.0.1:' + server.address().port;
  const json = { 'content-type': 'application/json' };
  for (let i = 0; i < 400; i++) {
    await fetch(base + '/items/' + i).then((r) => r.text());
    await fetch(base + '/orders/' + i).then((r) => r.text());
    if (i % 50 === 7) await fetch(base + '/missing/' + i).then((r) => r.text());
    const body = i % 150 === 99 ? '{"sku": "A-' + i + '", "qty": ' : JSON.stringify({ sku: 'A-' + i, qty: 1 });
    if (i % 10 === 9) await fetch(base + '/orders', { method: 'POST', headers: json, body }).then((r) => r.text());
  }
  server.close();
});
`;

const GENERATORS: Record<string, () => Generated> = {
  'log-express-debug': () => {
    const { stderr } = run(process.execPath, ['-e', EXPRESS_SERVER], {
      env: {
        DEBUG: 'express:*,router*,body-parser:*,finalhandler',
        DEBUG_COLORS: 'no',
        NODE_ENV: 'development',
      },
    });
    return {
      category: 'logs',
      text: stderr,
      question: 'Which requests to the server failed with a 500, and what error did the order handler throw?',
      needles: [
        ...new Set(linesWhere(stderr, (l) => l.startsWith('RangeError: '))),
        'finalhandler default 500',
      ],
    };
  },

  'log-npm-ci-offline': () =>
    withTempDir((dir) => {
      // npm ci of this project's lockfile with an empty cache and no network: npm's own debug log of a failure.
      for (const file of ['package.json', 'package-lock.json'])
        copyFileSync(join(root, file), join(dir, file));
      const logs = join(dir, 'logs');
      mkdirSync(logs);
      run(
        'npm',
        [
          'ci',
          '--offline',
          '--ignore-scripts',
          '--no-audit',
          '--no-fund',
          '--cache',
          join(dir, 'cache'),
          '--logs-dir',
          logs,
          '--loglevel',
          'silly',
        ],
        { cwd: dir, exitCodes: [1] },
      );
      const [log] = readdirSync(logs).filter((f) => f.endsWith('-debug-0.log'));
      const text = readFileSync(join(logs, log as string), 'utf8');
      return {
        category: 'logs',
        text,
        question: 'Why did npm ci fail, and which registry request could not be answered?',
        // What npm reported at error level, less its pointer to this very log file.
        needles: linesWhere(text, (l) => /^\d+ error /.test(l) && !l.includes('A complete log of this run')),
      };
    }),

  'json-npm-ls-all': () => {
    const text = run('npm', ['ls', '--all', '--json'], { exitCodes: [0, 1] }).stdout;
    const tree = JSON.parse(text) as NpmTreeNode;
    const router = findInTree(tree, 'router') ?? {};
    const versions = [
      findInTree(tree, 'express'),
      findInTree(tree, 'debug'),
      findInTree(router, 'path-to-regexp'),
    ];
    return {
      category: 'json',
      text,
      question:
        'Which versions of express and debug are installed, and which path-to-regexp version does router pull in?',
      needles: versions.map((node) => `"version": "${node?.version}"`),
    };
  },

  'json-npm-query-root-deps': () => {
    const text = run('npm', ['query', ':root > *']).stdout;
    const zod = (JSON.parse(text) as Array<Record<string, unknown>>).find((p) => p.name === 'zod') ?? {};
    return {
      category: 'json',
      text,
      question: 'Which version of zod is installed, where does it live and under which license?',
      needles: ['name', 'version', 'location', 'license'].map(
        (key) => `"${key}": ${JSON.stringify(zod[key])}`,
      ),
    };
  },

  'json-npm-explain-debug': () => {
    const text = run('npm', ['explain', 'debug', '--json']).stdout;
    const [debug] = JSON.parse(text) as Array<{
      name: string;
      version: string;
      dependents: Array<{ spec: string; from: { name: string } }>;
    }>;
    return {
      category: 'json',
      text,
      question: 'Why is debug installed: which packages depend on it directly, and with which version range?',
      needles: [
        `"version": "${debug?.version}"`,
        `"spec": "${debug?.dependents[0]?.spec}"`,
        ...(debug?.dependents.slice(0, 4).map((d) => `"name": "${d.from.name}"`) ?? []),
      ],
    };
  },

  'search-grep-undici-timeout': () => {
    const text = run('grep', ['-rn', 'Timeout', 'node_modules/undici/lib']).stdout;
    return {
      category: 'search',
      text,
      question: 'Where does the undici Client set its default headersTimeout and bodyTimeout, and to what?',
      needles: linesWhere(text, (l) => /this\[k(Headers|Body)Timeout\] = /.test(l)),
    };
  },

  'search-grep-openai-retries': () => {
    const text = run('grep', ['-rni', 'retries', 'node_modules/openai/src']).stdout;
    return {
      category: 'search',
      text,
      question:
        'What is the default maxRetries of the OpenAI client, and of the Responses websocket reconnects?',
      needles: linesWhere(text, (l) => /maxRetries = .*\?\? \d/.test(l)),
    };
  },

  'shell-find-zod-src': () => {
    const text = run('find', ['node_modules/zod/src']).stdout;
    const dirs = ['node_modules/zod/src/v4/locales', 'node_modules/zod/src/v3/benchmarks'];
    return {
      category: 'shell',
      text,
      question: "Where are zod's v4 locale files and its v3 benchmarks?",
      needles: dirs.flatMap((dir) => [dir, linesWhere(text, (l) => l.startsWith(`${dir}/`))[0] ?? dir]),
    };
  },

  'shell-ls-laR-openai-src': () => {
    const text = run('ls', ['-laR', 'node_modules/openai/src']).stdout;
    const top = text.split('\n\n')[0] ?? '';
    return {
      category: 'shell',
      text,
      question: "How large is the OpenAI SDK's src/client.ts, and where do its Responses API resources live?",
      needles: [
        'node_modules/openai/src:',
        linesWhere(top, (l) => l.endsWith(' client.ts'))[0] ?? 'client.ts',
        'node_modules/openai/src/resources/responses:',
      ],
    };
  },

  'diff-content-type': () =>
    packageVersionsDiff('content-type', 'content-type', 'express/node_modules/content-type'),

  'diff-signal-exit': () => packageVersionsDiff('signal-exit', 'ink/node_modules/signal-exit', 'signal-exit'),

  'build-tsc-eventsource-lib-es5': () =>
    withTempDir((noTypes) => {
      // The unmodified eventsource sources checked against ES5 with no DOM or Node types: the names they miss.
      const tsc = join(root, 'node_modules/typescript/bin/tsc');
      const args = ['--noEmit', '--strict', '--target', 'es5', '--lib', 'es5', '--typeRoots', noTypes];
      const text = run(process.execPath, [tsc, ...args, 'node_modules/eventsource/src/index.ts'], {
        exitCodes: [2],
      }).stdout;
      const byCode = new Map<string, string[]>();
      for (const line of linesWhere(text, (l) => / error TS\d+: /.test(l))) {
        const code = line.match(/ error (TS\d+): /)?.[1] as string;
        byCode.set(code, [...(byCode.get(code) ?? []), line]);
      }
      const commonest = [...byCode.values()].sort((a, b) => b.length - a.length).slice(0, 4);
      return {
        category: 'build',
        text,
        question:
          "Why does type-checking eventsource's sources with --lib es5 fail, and which DOM and ES2015 names are missing?",
        needles: commonest.map((lines) => lines[0] as string),
      };
    }),

  'text-ink-readme': () => {
    const text = readFileSync(packageDir('ink/readme.md'), 'utf8');
    const props = ['##### flexWrap', '##### borderStyle'];
    return {
      category: 'text',
      text,
      question: "Which values does ink's <Box> accept for flexWrap and for borderStyle?",
      needles: props.flatMap((heading) => [
        heading,
        ...markdownSection(text, heading).filter((l) => l.startsWith('Allowed values:')),
      ]),
    };
  },

  'text-node-fetch-readme': () => {
    const text = readFileSync(packageDir('node-fetch/README.md'), 'utf8');
    const options = markdownSection(text, '### Options');
    return {
      category: 'text',
      text,
      question: "What are node-fetch's default maximum redirect count and highWaterMark?",
      needles: [
        '### Options',
        ...options.filter((l) => /^\s+(follow|highWaterMark):/.test(l)).map((l) => l.trim()),
      ],
    };
  },
};

const cache = new Map<string, RealOutput>();

// Test files run in processes of their own and many want the same outputs: each is made once per dev
// install and kept on disk, under a key that changes with the install (the lockfile), the generators
// (this file) and Node's version.
const diskCache = join(
  root,
  'node_modules',
  '.cache',
  'headroom-real-outputs',
  createHash('sha256')
    .update(readFileSync(join(root, 'package-lock.json')))
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .update(process.version)
    .digest('hex')
    .slice(0, 16),
);

function fromDisk(name: string): Generated | undefined {
  try {
    return JSON.parse(readFileSync(join(diskCache, `${name}.json`), 'utf8')) as Generated;
  } catch {
    return undefined;
  }
}

function toDisk(name: string, output: Generated): void {
  try {
    mkdirSync(diskCache, { recursive: true });
    // Written aside and renamed, so a process reading at the same time never sees half a file.
    const partial = join(diskCache, `${name}.${process.pid}.partial`);
    writeFileSync(partial, JSON.stringify(output));
    renameSync(partial, join(diskCache, `${name}.json`));
  } catch {
    // A cache that cannot be written costs the next process the time to make the output again.
  }
}

/** One real output by name, made on first use (or read from the install's cache) and kept for the process. */
export function realOutput(name: string): RealOutput {
  const cached = cache.get(name);
  if (cached) return cached;
  const generate = GENERATORS[name];
  if (!generate)
    throw new Error(`no real output named ${name} (known: ${Object.keys(GENERATORS).join(', ')})`);
  const stored = fromDisk(name);
  const generated = stored ?? generate();
  if (!stored) toDisk(name, generated);
  const output = { name, ...generated };
  const missing = output.needles.filter((needle) => !output.text.includes(needle));
  if (output.needles.length < 2 || missing.length > 0)
    throw new Error(`real output ${name} lacks the needles it was built around: ${JSON.stringify(missing)}`);
  cache.set(name, output);
  return output;
}

/** Every real output, sorted by name. */
export function realOutputs(): RealOutput[] {
  return Object.keys(GENERATORS).sort().map(realOutput);
}

/** The server log's routine request lines and the first error it printed, to build logs of any length from. */
export function serverLogLines(): { routine: string[]; error: string } {
  const lines = realOutput('log-express-debug').text.split('\n');
  return {
    routine: lines.filter((l) => /^\S+Z (router|body-parser:json) /.test(l)),
    error: lines.find((l) => l.startsWith('RangeError: ')) as string,
  };
}

/** How many lines a text has, counted as a reader does: a final newline ends the last line, it opens none. */
export function lineCount(text: string): number {
  return text.replace(/\n$/, '').split('\n').length;
}

/** A real source file an agent would read whole: the OpenAI SDK's client, as the `code` category. */
export function realSourceFile(): RealOutput {
  const text = readFileSync(packageDir('openai/src/client.ts'), 'utf8');
  return {
    name: 'openai-src-client.ts',
    category: 'code',
    text,
    question: 'How many times does the OpenAI client retry a failed request by default?',
    needles: linesWhere(text, (l) => l.includes('maxRetries')).slice(0, 2),
  };
}
