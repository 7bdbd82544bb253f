// Loads the samples `headroom perf` measures: files or folders of tool outputs, each optionally with a
// `<file>.meta.json` sidecar ({category, question, needles}) naming the facts the compressed text must keep.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HeadroomError } from '../errors.js';
import type { BenchItem } from './measure.js';

const SKIPPED = new Set(['MANIFEST.json', 'README.md']);
const MAX_SAMPLE_BYTES = 64 * 1024 * 1024;

interface Sidecar {
  category?: unknown;
  question?: unknown;
  needles?: unknown;
}

function readSidecar(file: string): Sidecar | undefined {
  try {
    return JSON.parse(readFileSync(`${file}.meta.json`, 'utf8')) as Sidecar;
  } catch {
    return undefined;
  }
}

function sampleFrom(file: string): BenchItem | undefined {
  const size = statSync(file).size;
  if (size === 0 || size > MAX_SAMPLE_BYTES) return undefined;
  const bytes = readFileSync(file);
  if (bytes.includes(0)) return undefined;
  const meta = readSidecar(file);
  return {
    name: basename(file),
    // Without a sidecar the category is what the engine detects in the content, as the proxy would.
    category: typeof meta?.category === 'string' ? meta.category : undefined,
    text: bytes.toString('utf8'),
    question: typeof meta?.question === 'string' ? meta.question : '',
    needles: Array.isArray(meta?.needles)
      ? meta.needles.filter((n): n is string => typeof n === 'string')
      : [],
    path: file,
  };
}

/** Every readable text file under `paths` (folders one level deep), sorted by name, sidecars excluded. */
export function loadSamples(paths: readonly string[]): BenchItem[] {
  const files: string[] = [];
  for (const path of paths) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch (error) {
      throw new HeadroomError(
        `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      );
    }
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        if (name.endsWith('.meta.json') || SKIPPED.has(name) || name.startsWith('.')) continue;
        const full = join(path, name);
        if (statSync(full).isFile()) files.push(full);
      }
    } else {
      files.push(path);
    }
  }
  const samples = files.map(sampleFrom).filter((s): s is BenchItem => s !== undefined);
  if (samples.length === 0) throw new HeadroomError(`no text files to measure in ${paths.join(', ')}`);
  return samples;
}
