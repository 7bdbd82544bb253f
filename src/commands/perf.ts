import { writeFileSync } from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import { Args, Flags } from '@oclif/core';
import { HeadroomCommand, proxyFlags } from '../command.js';
import type { Engine } from '../compress/engine.js';
import { HeadroomError, UsageError } from '../errors.js';
import { createHeadroom } from '../headroom.js';
import { perfHtml } from '../perf/html.js';
import { type BenchRow, blockOf, measureItems, measureSpeed, totals } from '../perf/measure.js';
import { recordedFiguresOf, recordedJson, recordedText } from '../perf/recorded.js';
import { itemTable, speedTable, totalsTable } from '../perf/report.js';
import { loadSamples } from '../perf/samples.js';
import { parseDuration } from '../stats/duration.js';

export default class PerfCommand extends HeadroomCommand {
  static override summary =
    'Measure how much headroom saves on your own tool outputs, and how fast; or, with --live, on your recorded requests.';
  static override description =
    'Compresses every text file in the given files or folders the way the proxy compresses tool outputs, and ' +
    'prints tokens before and after (o200k_base), the reduction per category, and the transforms’ speed on ' +
    '1 MB blocks. A `<file>.meta.json` sidecar with {"category", "question", "needles"} makes the question the ' +
    'query and checks that every needle survives verbatim (the format of the corpus headroom is tuned on). ' +
    'Nothing is stored or sent anywhere. With --live it measures nothing: it reads the requests the proxy ' +
    'recorded in the stats store and prints what they saved by day, agent, model and transform, the p50 and p99 ' +
    'of the time a request waited in the proxy before going upstream, and the share of requests in which the ' +
    'model called headroom_retrieve.';
  static override examples = [
    '<%= config.bin %> perf ./tool-outputs',
    '<%= config.bin %> perf ./logs/build.log ./api-responses',
    '<%= config.bin %> perf build.log api-response.json --json',
    '<%= config.bin %> perf ./logs --items --no-speed',
    '<%= config.bin %> perf ./tool-outputs --html perf.html',
    '<%= config.bin %> perf --live',
    '<%= config.bin %> perf --live --since 7d',
    '<%= config.bin %> perf --live --since 24h --json',
  ];
  static override enableJsonFlag = true;
  static override strict = false;
  static override args = {
    paths: Args.string({
      description: 'Files or folders of tool outputs to measure (none with --live)',
      ignoreStdin: true,
    }),
  };
  static override flags = {
    items: Flags.boolean({ description: 'Print one line per file, not only the totals' }),
    speed: Flags.boolean({
      allowNo: true,
      default: true,
      description: 'Measure transform speed on 1 MB blocks',
    }),
    verbose: Flags.boolean({ char: 'v', description: 'Name the needles a file lost' }),
    html: Flags.string({ description: 'Also write the figures as a self-contained HTML page to this file' }),
    live: Flags.boolean({
      description: 'Report what the requests the proxy recorded saved, instead of measuring files',
      exclusive: ['items', 'html'],
    }),
    since: Flags.string({
      description: 'With --live: only requests in this window back from now, e.g. 24h, 7d, 2w',
      dependsOn: ['live'],
    }),
    'cache-dir': proxyFlags['cache-dir'],
  };

  async run(): Promise<unknown> {
    const { argv, flags } = await this.parse(PerfCommand);
    if (flags.live) {
      if (argv.length)
        throw new UsageError('--live reads the recorded requests: give it no files or folders');
      return this.live(flags.since, flags['cache-dir']);
    }
    if (argv.length === 0) {
      throw new UsageError('name the files or folders of tool outputs to measure, or pass --live');
    }
    return this.measure(argv as string[], flags);
  }

  /** What the recorded requests saved, from the stats store, in the window `since` back from now. */
  private async live(since: string | undefined, cacheDir: string | undefined): Promise<unknown> {
    const windowMs = since === undefined ? undefined : parseDuration(since);
    const headroom = await createHeadroom(this.resolve({ cacheDir }).config);
    try {
      const store = await headroom.stats({ readOnly: true });
      const until = Date.now();
      const window = { since: windowMs === undefined ? undefined : until - windowMs, until };
      const figures = await recordedFiguresOf(store, window);
      if (!this.jsonEnabled()) {
        const label = since === undefined ? 'all time' : `last ${since}`;
        process.stdout.write(recordedText(figures, label, process.stdout.columns));
      }
      return recordedJson(figures);
    } finally {
      await headroom.close();
    }
  }

  private async measure(
    paths: string[],
    flags: { items: boolean; verbose: boolean; speed: boolean; html?: string },
  ): Promise<unknown> {
    const samples = loadSamples(paths);
    const bytes = samples.reduce((sum, s) => sum + Buffer.byteLength(s.text), 0);
    if (bytes > 1e6 || samples.length > 20) {
      process.stderr.write(`headroom: measuring ${samples.length} files, ${(bytes / 1e6).toFixed(1)} MB…\n`);
    }
    const engine = await (await createHeadroom(this.resolve().config)).engine();
    const rows: BenchRow[] = [];
    for (const sample of samples) {
      rows.push(...measureItems(engine, [sample]));
      await betweenMeasures();
    }
    const figures = totals(rows);
    const detected = new Map(rows.map((row) => [row.name, row.category]));
    const speeds = flags.speed ? await measureSpeeds(engine, samples, detected) : [];
    if (flags.items || flags.verbose) this.log(`${itemTable(rows, flags.verbose)}\n`);
    this.log(totalsTable(figures));
    if (speeds.length) this.log(`\n${speedTable(speeds)}`);
    if (flags.html) {
      try {
        writeFileSync(flags.html, perfHtml(figures, rows, speeds, new Date()));
      } catch (error) {
        throw new HeadroomError(
          `cannot write ${flags.html}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
        );
      }
      if (!this.jsonEnabled()) this.log(`\nreport: ${flags.html}`);
    }
    return { items: rows, totals: figures, speed: speeds };
  }
}

/** Each measure holds the thread; between two, a Ctrl-C gets through. */
const betweenMeasures = () => setImmediate();

/** Speed on 1 MB blocks built from the samples of each kind the engine is fastest to matter on. */
async function measureSpeeds(
  engine: Engine,
  samples: ReturnType<typeof loadSamples>,
  detected: ReadonlyMap<string, string>,
) {
  const of = (category: string) =>
    samples.filter((s) => (s.category ?? detected.get(s.name)) === category).map((s) => s.text);
  const speeds = [];
  if (of('logs').length) speeds.push(measureSpeed(engine, 'logs', blockOf(of('logs'), 1e6), 'error'));
  if (of('json').length) {
    await betweenMeasures();
    const jsonBlock = `[${blockOf(of('json'), 1e6).replace(/\n(?=[[{])/g, ',\n')}]`;
    speeds.push(measureSpeed(engine, 'json', jsonBlock));
  }
  if (speeds.length === 0)
    speeds.push(
      measureSpeed(
        engine,
        'all samples',
        blockOf(
          samples.map((s) => s.text),
          1e6,
        ),
      ),
    );
  return speeds;
}
