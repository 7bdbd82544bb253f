// Real tool outputs made at run time, in the shape of the shared corpus: npm, git, grep, ls, find, tsc, g++,
// javac, python, vitest, node's test runner, SQLite and HTTP servers really run on the packages this
// repository installs and on programs written to a temporary directory, so no output is stored in it.

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
import {
  ACCESS_LOG_SERVER,
  BROKEN_CPP,
  BROKEN_JAVA,
  BROKEN_PYTHON,
  NODE_TEST_SUITE,
  PYTHON_SUITE,
  SQLITE_IMPORT,
  VITEST_SUITE,
} from './real-output-programs.js';

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
  /** Both streams in one, interleaved as a terminal shows them (returned as `stdout`). */
  merged?: boolean;
}

/** Run a program and return what it printed on stdout and stderr. */
function run(command: string, args: string[], options: Run = {}): { stdout: string; stderr: string } {
  const [program, argv] = options.merged
    ? ['sh', ['-c', 'exec "$0" "$@" 2>&1', command, ...args]]
    : [command, args];
  const result = spawnSync(program, argv, {
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

/** Write `files` (relative path → content) under `dir`. */
function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** The first line of `text` that `keep` selects, or a note that none did (which fails the needle check). */
function firstLineWhere(text: string, keep: (line: string) => boolean): string {
  return linesWhere(text, keep)[0] ?? 'no line matched';
}

/** The first line of each distinct value `key` gives the lines it selects (undefined: not selected). */
function firstOfEach(text: string, key: (line: string) => string | undefined): string[] {
  const seen = new Map<string, string>();
  for (const line of text.split('\n')) {
    const k = key(line);
    if (k !== undefined && !seen.has(k)) seen.set(k, line);
  }
  return [...seen.values()];
}

// Commits in the temporary repositories carry fixed names and dates, so `git log` prints the same
// hashes on every machine.
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Headroom Tests',
  GIT_AUTHOR_EMAIL: 'tests@headroom.invalid',
  GIT_COMMITTER_NAME: 'Headroom Tests',
  GIT_COMMITTER_EMAIL: 'tests@headroom.invalid',
};

/** A git repository holding one commit per installed version of a package, oldest first. */
function repositoryOfVersions(dir: string, name: string, versions: string[]): void {
  run('git', ['init', '-q', '-b', 'main', dir]);
  versions.forEach((path, i) => {
    for (const entry of readdirSync(dir)) if (entry !== '.git') rmSync(join(dir, entry), { recursive: true });
    run('cp', ['-R', `${packageDir(path)}/.`, dir]);
    rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
    const date = `2026-0${i + 1}-15T12:00:00Z`;
    run('git', ['add', '-A'], { cwd: dir });
    run('git', ['commit', '-q', '-m', `${name} ${versionOf(path)}`], {
      cwd: dir,
      env: { ...GIT_IDENTITY, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
  });
}

/** Whether a program is on this machine's PATH. */
function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).status === 0;
}

const IDENTIFIER_ERROR = /: error: ['‘]itemCount['’] was not declared in this scope$/;

// Python 2 modules compiled by Python 3: the legacy half of the package, one mistake per module.
const LEGACY_MODULES = [
  'audit_log',
  'backup',
  'cron_tasks',
  'currency',
  'export_csv',
  'geo_lookup',
  'import_xml',
  'invoice_pdf',
  'label_print',
  'ledger',
  'loyalty',
  'mailer',
  'price_feed',
  'reorder',
  'returns',
  'search_index',
  'supplier_api',
  'sync_stock',
];

function legacyModule(name: string, i: number): string {
  return i % 3 === 2
    ? `import os\n\ndef ${name}(path):\n    try:\n        return open(path).read()\n    except IOError, e:\n        return None\n`
    : `def ${name}(rows):\n    total = len(rows)\n    print "${name}: %d rows" % total\n    return total\n`;
}

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
  'log-http-access': () =>
    withTempDir((dir) => {
      const { stderr } = run('python3', ['-c', ACCESS_LOG_SERVER, join(dir, 'www')]);
      const firstWith = (status: string) =>
        stderr.match(new RegExp(`"[A-Z]+ [^"]+ HTTP/1\\.1" ${status} `))?.[0].trimEnd() ?? `no ${status}`;
      return {
        category: 'logs',
        text: stderr,
        question:
          'Which requests to the web server failed with a 5xx status or were refused with 403, and on which paths?',
        needles: ['500', '502', '503', '403'].map(firstWith),
      };
    }),

  'log-sqlite-import': () =>
    withTempDir((dir) => {
      writeFileSync(join(dir, 'import.cjs'), SQLITE_IMPORT);
      const text = run(process.execPath, [join(dir, 'import.cjs')], {
        env: { NODE_PATH: join(root, 'node_modules') },
      }).stdout;
      return {
        category: 'logs',
        text,
        question:
          'Which statements failed during the inventory import, with which SQLite error codes, and how many products were written?',
        needles: [
          ...firstOfEach(text, (l) =>
            / ERROR /.test(l) ? l.slice(l.indexOf(' ERROR ') + 7) : undefined,
          ).map((l) => l.slice(l.indexOf(' ERROR ') + 1)),
          firstLineWhere(text, (l) => l.includes('import finished:')).slice(25),
        ],
      };
    }),

  'log-npm-install-silly': () =>
    withTempDir((dir) => {
      // npm install of this project's manifest, no lockfile, no cache, no network: what npm prints at silly level.
      copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
      const { stderr } = run(
        'npm',
        ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel', 'silly'],
        { cwd: dir, env: { npm_config_cache: join(dir, 'cache') }, exitCodes: [1] },
      );
      return {
        category: 'logs',
        text: stderr,
        question: 'Why did npm install fail, on which package, and with which exit code?',
        needles: [
          'npm error code ENOTCACHED',
          firstLineWhere(stderr, (l) => l.startsWith('npm error request to ')),
          'npm verbose exit 1',
        ],
      };
    }),

  'build-gxx-inventory': () =>
    withTempDir((dir) => {
      // The broken module, and the metric helpers a rename left pointing at the old counter.
      const metrics = Array.from(
        { length: 16 },
        (_, i) =>
          `int metric${i}(const Inventory& inventory) {\n  return inventory.total() * ${i + 2} + itemCount;\n}\n`,
      ).join('\n');
      writeFiles(dir, { ...BROKEN_CPP, 'inventory.cpp': `${BROKEN_CPP['inventory.cpp']}\n${metrics}` });
      const { stderr } = run('g++', ['-std=c++17', '-Wall', '-Wextra', '-fsyntax-only', 'inventory.cpp'], {
        cwd: dir,
        exitCodes: [1],
      });
      const undeclared = linesWhere(stderr, (l) => IDENTIFIER_ERROR.test(l));
      // A use far down the list: asked about by its line, so only a list of every place answers it.
      const later = (undeclared[20] ?? 'too few').replace(IDENTIFIER_ERROR, '').replace(/:\d+$/, '');
      return {
        category: 'build',
        text: stderr,
        question: `Which errors does g++ report for inventory.cpp, where is itemCount used undeclared (is line ${later.split(':')[1]} one of them), and why is the addItem call rejected?`,
        needles: [
          undeclared[0] as string,
          later,
          ...firstOfEach(stderr, (l) =>
            / error: /.test(l) && !IDENTIFIER_ERROR.test(l) ? l.slice(l.indexOf(' error: ')) : undefined,
          ),
          firstLineWhere(stderr, (l) => l.includes('candidate expects')),
        ],
      };
    }),

  'build-python-compileall': () =>
    withTempDir((dir) => {
      const legacy = Object.fromEntries(
        LEGACY_MODULES.map((name, i) => [`shop/legacy/${name}.py`, legacyModule(name, i)]),
      );
      writeFiles(dir, { ...BROKEN_PYTHON, ...legacy, 'shop/legacy/__init__.py': '' });
      const text = run('python3', ['-m', 'compileall', '-q', 'shop'], { cwd: dir, exitCodes: [1] }).stdout;
      return {
        category: 'build',
        text,
        question:
          'Which modules of the shop package fail to compile under Python 3 and why, and does shop/legacy/price_feed.py compile?',
        needles: [
          ...firstOfEach(text, (l) => (/^(\S+Error|Sorry: )/.test(l) ? l.replace(/\(.*\)$/, '') : undefined)),
          'File "shop/legacy/price_feed.py", line 3',
        ],
      };
    }),

  'build-python-unittest': () =>
    withTempDir((dir) => {
      writeFiles(dir, PYTHON_SUITE);
      const { stderr } = run('python3', ['-m', 'unittest', '-v'], { cwd: dir, exitCodes: [1] });
      return {
        category: 'build',
        text: stderr,
        question:
          'Which cart tests fail or error, with which assertion or exception, and what is the final tally?',
        needles: [
          ...linesWhere(stderr, (l) => /^(FAIL|ERROR): /.test(l)),
          firstLineWhere(stderr, (l) => l.startsWith('KeyError: ')),
          firstLineWhere(stderr, (l) => l.startsWith('FAILED (')),
        ],
      };
    }),

  'build-javac-shop': () =>
    withTempDir((dir) => {
      const metrics = Array.from(
        { length: 12 },
        (_, i) =>
          `    public static int metric${i}(Inventory inventory) {\n        return inventory.total() * ${i + 2} + itemCount;\n    }\n`,
      ).join('\n');
      writeFiles(dir, {
        ...BROKEN_JAVA,
        'shop/Metrics.java': `package shop;\n\npublic class Metrics {\n${metrics}}\n`,
      });
      const { stderr } = run(
        'javac',
        ['-d', join(dir, 'classes'), 'shop/Inventory.java', 'shop/Report.java', 'shop/Metrics.java'],
        {
          cwd: dir,
          exitCodes: [1],
        },
      );
      const undeclared = stderr
        .split('\n')
        .flatMap((l, i, all) =>
          / error: cannot find symbol$/.test(l) && (all[i + 3] ?? '').includes('variable itemCount')
            ? [l]
            : [],
        );
      // A use far down the list: asked about by its line, so only a list of every place answers it.
      const later = (undeclared[8] ?? 'too few').replace(/: error: .*/, '').replace(/^.*\//, '');
      return {
        category: 'build',
        text: stderr,
        question: `Why does javac reject the shop sources: which symbols are missing, where is itemCount used (is ${later.replace(/^.*\//, '').replace(':', ' line ')} one of them), and how many errors are there?`,
        needles: [
          ...firstOfEach(stderr, (l) => (/ error: /.test(l) ? l.slice(l.indexOf(' error: ')) : undefined)),
          ...firstOfEach(stderr, (l) => (/^\s+symbol: /.test(l) ? l : undefined)),
          later,
          firstLineWhere(stderr, (l) => /^\d+ errors?$/.test(l)),
        ],
      };
    }),

  'build-vitest-failures': () =>
    withTempDir((dir) => {
      writeFiles(dir, VITEST_SUITE);
      const vitest = join(root, 'node_modules/vitest/vitest.mjs');
      const { stdout } = run(process.execPath, [vitest, 'run', '--root', dir], {
        exitCodes: [1],
        merged: true,
      });
      return {
        category: 'build',
        text: stdout,
        question:
          'Which pricing tests fail, with which errors, and how many tests passed and failed overall?',
        needles: [
          ...linesWhere(stdout, (l) => l.startsWith(' FAIL ')),
          firstLineWhere(stdout, (l) => l.startsWith('TypeError: ')),
          firstLineWhere(stdout, (l) => /^\s+Tests\s+\d+ failed/.test(l)).trim(),
        ],
      };
    }),

  'build-node-test-tap': () =>
    withTempDir((dir) => {
      writeFiles(dir, NODE_TEST_SUITE);
      const { stdout } = run(process.execPath, ['--test'], { cwd: dir, exitCodes: [1] });
      return {
        category: 'build',
        text: stdout,
        question:
          'Which slug tests fail under node --test, with what error, and how many tests pass and fail?',
        needles: [
          ...linesWhere(stdout, (l) => /^\s+not ok \d+ - /.test(l)).map((l) => l.trim()),
          firstLineWhere(stdout, (l) => l.includes("error: 'bad duration: 1h'")).trim(),
          '# pass ',
          '# fail ',
        ],
      };
    }),

  'diff-git-log-ansi-escapes': () =>
    withTempDir((dir) => {
      repositoryOfVersions(dir, 'ansi-escapes', ['ansi-escapes', 'ink/node_modules/ansi-escapes']);
      const text = run('git', ['log', '-p', '--no-color'], { cwd: dir }).stdout;
      return {
        category: 'diff',
        text,
        question:
          'What changed in ansi-escapes from 4.3.2 to 7.3.0: its version, its module format (type, exports), and how is eraseLines defined now?',
        needles: [
          ...changedLinesOf(text, 'package.json').filter((l) => /^\+\s*"(version|type|exports)":/.test(l)),
          firstLineWhere(text, (l) => /^\+export const eraseLines\b/.test(l)),
        ],
      };
    }),

  'diff-git-log-stat-entities': () =>
    withTempDir((dir) => {
      repositoryOfVersions(dir, 'entities', ['entities', 'htmlparser2/node_modules/entities']);
      const text = run('git', ['log', '--stat', '-p', '--no-color', '-1'], { cwd: dir }).stdout;
      return {
        category: 'diff',
        text,
        question:
          'Which files of entities changed most from 4.5.0 to 7.0.1, what is the new version, and how did the declared signature of decodeHTML change?',
        needles: [
          firstLineWhere(text, (l) => /^ package\.json\s+\| /.test(l)),
          ...changedLinesOf(text, 'package.json').filter((l) => /^\+\s*"version":/.test(l)),
          ...linesWhere(text, (l) => /^[+-]export declare function decodeHTML\(/.test(l)).slice(0, 2),
        ],
      };
    }),

  'shell-ls-laR-mcp-sdk': () => {
    const text = run('ls', ['-laR', 'node_modules/@modelcontextprotocol/sdk']).stdout;
    const server = 'node_modules/@modelcontextprotocol/sdk/dist/esm/server:';
    const section = text.split('\n\n').find((s) => s.startsWith(server)) ?? '';
    return {
      category: 'shell',
      text,
      question:
        "Where are the MCP SDK's ESM server files, how large is its server/index.js, and is there a streamableHttp transport?",
      needles: [
        server,
        firstLineWhere(section, (l) => l.endsWith(' index.js')),
        firstLineWhere(section, (l) => l.endsWith(' streamableHttp.js')),
      ],
    };
  },

  'shell-npm-ls-all': () => {
    const text = run('npm', ['ls', '--all'], { exitCodes: [0, 1] }).stdout;
    const router = text.split('\n').findIndex((l) => /router@\d/.test(l));
    return {
      category: 'shell',
      text,
      question:
        'Which optional dependencies of claude-code are unmet, and which path-to-regexp version does router pull in?',
      needles: [
        firstLineWhere(text, (l) => l.includes('UNMET OPTIONAL DEPENDENCY')).replace(/^[|`+\s-]+/, ''),
        (
          text
            .split('\n')
            .slice(router)
            .find((l) => l.includes('path-to-regexp@')) ?? 'none'
        ).replace(/^[|`+\s-]+/, ''),
        text.split('\n', 1)[0] as string,
      ],
    };
  },

  'text-npm-config-docs': () => {
    const npmRoot = run('npm', ['root', '-g']).stdout.trim();
    const text = readFileSync(join(npmRoot, 'npm/docs/content/using-npm/config.md'), 'utf8');
    const options = ['#### `fetch-retries`', '#### `strict-ssl`'];
    return {
      category: 'text',
      text,
      question: "What are npm's defaults for fetch-retries and strict-ssl, and what does strict-ssl control?",
      needles: options.flatMap((heading) => [
        heading,
        ...markdownSection(text, heading).filter((l) => /^\* Default: |^Whether or not/.test(l)),
      ]),
    };
  },

  'json-npm-query-all': () => {
    const text = run('npm', ['query', '*']).stdout;
    const records = JSON.parse(text) as Array<Record<string, unknown>>;
    const undici = records.find((p) => p.name === 'undici') ?? {};
    const lgpl = records.find((p) => typeof p.license === 'string' && p.license.startsWith('LGPL')) ?? {};
    return {
      category: 'json',
      text,
      question:
        'Which installed package is LGPL-licensed, and which version of undici is installed and where does it live?',
      needles: [
        `"name": ${JSON.stringify(lgpl.name)}`,
        `"license": ${JSON.stringify(lgpl.license)}`,
        `"version": ${JSON.stringify(undici.version)}`,
        `"location": ${JSON.stringify(undici.location)}`,
      ],
    };
  },
};

const cache = new Map<string, RealOutput>();

// Test files run in processes of their own and many want the same outputs: each is made once per dev
// install and kept on disk, under a key that changes with the install (the lockfile), the generators
// (this file and the programs they run) and Node's version.
const diskCache = join(
  root,
  'node_modules',
  '.cache',
  'headroom-real-outputs',
  createHash('sha256')
    .update(readFileSync(join(root, 'package-lock.json')))
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .update(readFileSync(fileURLToPath(new URL('./real-output-programs.ts', import.meta.url))))
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

// Programs a fresh machine may lack: their outputs are left out, and named by `absentRealOutputs`.
const NEEDS: Record<string, string> = { 'build-javac-shop': 'javac' };

const available = (name: string) => !NEEDS[name] || onPath(NEEDS[name]);

/** Every real output whose program this machine has, sorted by name (the first `count` of them). */
export function realOutputs(count = Number.POSITIVE_INFINITY): RealOutput[] {
  // Only the outputs asked for are made: each runs a real program, which a loaded machine makes slow.
  return Object.keys(GENERATORS).sort().filter(available).slice(0, count).map(realOutput);
}

/** The real outputs left out because their program is not on this machine, with the program's name. */
export function absentRealOutputs(): Array<{ name: string; program: string }> {
  return Object.keys(GENERATORS)
    .sort()
    .filter((name) => !available(name))
    .map((name) => ({ name, program: NEEDS[name] as string }));
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
