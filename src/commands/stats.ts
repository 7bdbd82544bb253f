import { createInterface } from 'node:readline/promises';
import { Flags } from '@oclif/core';
import chalk from 'chalk';
import { HeadroomCommand, proxyFlags } from '../command.js';
import { HeadroomError } from '../errors.js';
import { createHeadroom, type Headroom } from '../headroom.js';
import { parseDuration } from '../stats/duration.js';
import { CsvLines, reportJson } from '../stats/export.js';
import { type GroupBy, reportOf, turns } from '../stats/report.js';
import { sessionByPrefix } from '../stats/session-prefix.js';
import { renderText } from '../stats/text.js';
import type { StatsFilter } from '../store/filter.js';
import type { RequestRow, StatsStore } from '../store/types.js';
import { runStatsTui } from '../tui/run-stats.js';

export default class StatsCommand extends HeadroomCommand {
  static override summary = 'Show tokens and money saved, live in a terminal or as data for scripts.';
  static override description =
    'In a terminal, opens a live view: totals for the window, sessions, and each turn as it happens, with tokens ' +
    'before and after compression, the transforms used, latency and money saved (keys: arrows or j/k select, ' +
    'enter opens a session, esc goes back, t shows the transform breakdown, / filters, q quits). Piped, it prints ' +
    'a plain table; --json prints the same figures as one JSON document and --csv one line per request. Money ' +
    'uses the built-in price table; models without a known price show "—".';
  static override examples = [
    '<%= config.bin %> stats',
    '<%= config.bin %> stats --since 24h',
    '<%= config.bin %> stats --agent claude --since 7d --json',
    '<%= config.bin %> stats --session 8f2c1a --json',
    '<%= config.bin %> stats --since 7d --by day',
    '<%= config.bin %> stats --by model --json',
    '<%= config.bin %> stats --csv --since 30d > requests.csv',
    '<%= config.bin %> stats --reset --yes',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    since: Flags.string({ description: 'Only requests in this window back from now, e.g. 30m, 24h, 7d, 2w' }),
    agent: Flags.string({ description: 'Only requests from this agent (e.g. claude, codex)' }),
    session: Flags.string({ description: 'Only this session; --json and the table then list its turns' }),
    by: Flags.string({
      description: 'Also total the requests per day (local date), model or agent',
      options: ['day', 'model', 'agent'],
    }),
    project: Flags.string({ description: 'Only requests from this project directory' }),
    csv: Flags.boolean({ description: 'Print one CSV line per request', exclusive: ['json', 'reset'] }),
    reset: Flags.boolean({
      description: 'Delete every recorded request and session (asks first on a terminal)',
    }),
    yes: Flags.boolean({ char: 'y', description: 'Do not ask before --reset' }),
    'cache-dir': proxyFlags['cache-dir'],
    store: proxyFlags.store,
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(StatsCommand);
    const { config } = this.resolve({ cacheDir: flags['cache-dir'], store: flags.store });
    if (process.env.NO_COLOR) chalk.level = 0;
    const headroom = await createHeadroom(config);
    try {
      return flags.reset ? await this.reset(headroom, flags.yes) : await this.report(headroom, flags);
    } finally {
      await headroom.close();
    }
  }

  private async report(
    headroom: Headroom,
    flags: {
      since?: string;
      agent?: string;
      session?: string;
      project?: string;
      by?: string;
      csv: boolean;
    },
  ): Promise<unknown> {
    const { config } = headroom;
    const store = await headroom.stats({ readOnly: true });

    const windowMs = flags.since === undefined ? undefined : parseDuration(flags.since);
    // The live view shows ids by their first characters: any unique start of one names it.
    const session = flags.session === undefined ? undefined : await sessionNamed(store, flags.session);
    const fixed: StatsFilter = { agent: flags.agent, session, project: flags.project };
    const windowLabel = windowMs === undefined ? 'all time' : `last ${flags.since}`;
    const interactive = process.stdout.isTTY && process.stdin.isTTY && !this.jsonEnabled() && !flags.csv;
    if (interactive) {
      await runStatsTui({
        store,
        cacheDir: config.cacheDir,
        filter: fixed,
        windowMs,
        windowLabel,
        apiKey: config.apiKey,
      });
      return undefined;
    }

    const now = Date.now();
    const filter = { ...fixed, since: windowMs === undefined ? undefined : now - windowMs };
    // Read a page at a time: a report over a million requests holds sums, not rows.
    if (flags.csv) {
      const lines = new CsvLines();
      await store.scanRows(filter, (rows) => {
        for (const row of rows) lines.add(row);
      });
      process.stdout.write(lines.text());
      return undefined;
    }
    const sessionRows: RequestRow[] = [];
    const report = await reportOf(
      store,
      definedOnly(filter),
      now,
      flags.by as GroupBy | undefined,
      session === undefined ? undefined : (row) => sessionRows.push(row),
    );
    const sessionTurns = session === undefined ? undefined : turns(sessionRows, session);
    if (!this.jsonEnabled()) process.stdout.write(renderText(report, { turns: sessionTurns, windowLabel }));
    return reportJson(report, sessionTurns);
  }

  private async reset(headroom: Headroom, yes: boolean): Promise<unknown> {
    if (!yes) {
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        throw new HeadroomError('refusing to reset stats without confirmation: pass --yes');
      }
      const reader = await headroom.stats({ readOnly: true });
      let requests = 0;
      await reader.scanRows({}, (rows) => {
        requests += rows.length;
      });
      const prompt = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await prompt.question(
        `Delete all ${requests} recorded requests in ${reader.location}? [y/N] `,
      );
      prompt.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        this.log('stats kept');
        return { reset: false, deleted: 0 };
      }
    }
    const deleted = await (await headroom.stats()).reset();
    if (!this.jsonEnabled()) this.log(`stats reset: ${deleted} requests deleted`);
    return { reset: true, deleted };
  }
}

/** The filter without keys whose value is undefined, so --json lists only the filters given. */
function definedOnly(filter: StatsFilter): StatsFilter {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as StatsFilter;
}

/**
 * The session `prefix` names. Registered sessions answer it without reading a row; only when none of them
 * starts with it are the sessions the rows name (a client's own session header) looked through.
 */
async function sessionNamed(store: StatsStore, prefix: string): Promise<string> {
  const registered = (await store.sessions()).map((s) => s.id);
  if (registered.some((id) => id.startsWith(prefix))) return sessionByPrefix(prefix, registered);
  const named = new Set<string>();
  await store.scanRows({}, (rows) => {
    for (const row of rows) if (row.sessionId) named.add(row.sessionId);
  });
  return sessionByPrefix(prefix, [...registered, ...named]);
}
