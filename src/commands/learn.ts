import { existsSync } from 'node:fs';
import { Flags } from '@oclif/core';
import chalk from 'chalk';
import { SingleBar } from 'cli-progress';
import { createTwoFilesPatch } from 'diff';
import { HeadroomCommand, proxyFlags } from '../command.js';
import { UsageError } from '../errors.js';
import { createHeadroom } from '../headroom.js';
import {
  AGENT_CLIS,
  type AgentCli,
  agentModel,
  applyPlan,
  type CompressionSuggestion,
  DEFAULT_MAX_RULES,
  FeedbackTally,
  LEARNABLE_AGENTS,
  type LearnPlan,
  type LogWarning,
  type Model,
  planLearning,
  upstreamModel,
} from '../learn/index.js';
import type { RequestRow } from '../store/types.js';

/** Logs smaller than this read too fast for a progress bar to help. */
const PROGRESS_BYTES = 16 * 1024 * 1024;

export default class LearnCommand extends HeadroomCommand {
  static override summary =
    "Learn from the agents' failed sessions: write corrections into CLAUDE.md, AGENTS.md, GEMINI.md.";
  static override description =
    'Reads Claude Code, Codex and Gemini CLI session logs, finds the calls that failed and what fixed them (another ' +
    'command, the right path, a step first), loops of the same failing call and re-runs with ever larger limits, and ' +
    'turns them into short rules with their evidence. The rules go into a block between <!-- headroom:learn:start --> ' +
    'and <!-- headroom:learn:end --> in the instructions file each agent reads (CLAUDE.md, or CLAUDE.local.md with ' +
    '--local; AGENTS.md; GEMINI.md) in the project root; nothing outside the block changes, and a run with nothing new ' +
    'changes nothing. By default it prints the change as a diff; --apply writes it (atomically, keeping a .headroom-' +
    "learn.bak copy). headroom's own stats add suggestions for its settings when the model kept asking for originals. " +
    'With --llm (the upstream API) or --llm-agent (an installed agent CLI) a model rewords and merges the rules ' +
    'from a digest of them (secrets blanked, never the logs); the evidence stays the mined one, and an answer that ' +
    'is not a well-formed list of rules is set aside for the mined rules.';
  static override examples = [
    '<%= config.bin %> learn',
    '<%= config.bin %> learn --apply',
    '<%= config.bin %> learn --agent claude --local --apply',
    '<%= config.bin %> learn --project ~/src/app --max-rules 10',
    '<%= config.bin %> learn --all --json',
    '<%= config.bin %> learn --llm --apply',
    '<%= config.bin %> learn --llm-agent claude',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    project: Flags.string({ description: 'Project directory to learn for (default: the current directory)' }),
    all: Flags.boolean({ description: 'Every project the logs name', exclusive: ['project'] }),
    agent: Flags.string({
      description: 'Only this agent’s logs and file (repeatable)',
      options: [...LEARNABLE_AGENTS],
      multiple: true,
    }),
    local: Flags.boolean({ description: 'Write CLAUDE.local.md instead of CLAUDE.md' }),
    apply: Flags.boolean({ description: 'Write the files (default: print the diff only)' }),
    'max-rules': Flags.integer({
      description: `Most rules in a block (default ${DEFAULT_MAX_RULES})`,
      min: 1,
    }),
    'cache-dir': proxyFlags['cache-dir'],
    llm: Flags.boolean({
      description:
        'Have a model reword and merge the rules, through the Anthropic API (ANTHROPIC_API_KEY) or else the OpenAI API (OPENAI_API_KEY) at the configured upstream',
    }),
    'llm-agent': Flags.string({
      description: 'Have a model reword and merge the rules through this agent CLI, run non-interactively',
      options: Object.keys(AGENT_CLIS),
      exclusive: ['llm'],
    }),
    'llm-model': Flags.string({
      description: 'The model --llm or --llm-agent asks (default: the API’s or agent’s own)',
    }),
    'llm-timeout': Flags.integer({
      description: 'Seconds to wait for the model’s answer (default 180)',
      min: 1,
    }),
    'anthropic-upstream': proxyFlags['anthropic-upstream'],
    'openai-upstream': proxyFlags['openai-upstream'],
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(LearnCommand);
    const { config } = this.resolve({
      cacheDir: flags['cache-dir'],
      anthropicUpstream: flags['anthropic-upstream'],
      openaiUpstream: flags['openai-upstream'],
    });
    if (process.env.NO_COLOR) chalk.level = 0;
    if (flags.project && !existsSync(flags.project)) {
      throw new UsageError(`no such project directory: ${flags.project}`);
    }
    const timeoutMs = flags['llm-timeout'] === undefined ? undefined : flags['llm-timeout'] * 1000;
    const model: Model | undefined = flags['llm-agent']
      ? agentModel(flags['llm-agent'] as AgentCli, {
          env: process.env,
          cwd: flags.project ?? process.cwd(),
          model: flags['llm-model'],
          timeoutMs,
        })
      : flags.llm
        ? upstreamModel({
            env: process.env,
            anthropicUpstream: config.anthropicUpstream,
            openaiUpstream: config.openaiUpstream,
            model: flags['llm-model'],
            timeoutMs,
          })
        : undefined;
    const json = this.jsonEnabled();
    const warnings = new Map<string, LogWarning[]>();
    const bar =
      !json && process.stderr.isTTY
        ? new SingleBar({
            stream: process.stderr,
            hideCursor: true,
            format: 'reading logs [{bar}] {percentage}% {value}/{total} MB',
          })
        : undefined;
    let barStarted = false;
    const plan = await planLearning({
      env: process.env,
      project: flags.project,
      all: flags.all,
      agents: flags.agent,
      local: flags.local,
      maxRules: flags['max-rules'],
      day: new Date().toISOString().slice(0, 10),
      model,
      onMalformedAnswer: (project, reason) =>
        process.stderr.write(
          `headroom: ${model?.name}'s answer for ${project} was not a list of rules (${reason}); kept the mined rules\n`,
        ),
      onWarning: (warning) => warnings.set(warning.file, [...(warnings.get(warning.file) ?? []), warning]),
      onProgress: (read, total) => {
        if (!bar || total < PROGRESS_BYTES) return;
        if (!barStarted) {
          bar.start(Math.ceil(total / 1e6), 0);
          barStarted = true;
        }
        bar.update(Math.floor(read / 1e6));
      },
    }).finally(() => barStarted && bar?.stop());
    for (const [file, list] of warnings) {
      process.stderr.write(
        `headroom: skipped ${list.length} unreadable line${list.length === 1 ? '' : 's'} in ${file} (line ${list
          .map((w) => w.line)
          .slice(0, 5)
          .join(', ')}${list.length > 5 ? ', …' : ''})\n`,
      );
    }
    const suggestions = await this.feedback(config, plan, flags.all === true);
    const written = flags.apply ? applyPlan(plan) : [];
    if (!json) this.report(plan, suggestions, flags.apply === true, written);
    return {
      applied: flags.apply === true,
      logs: plan.logs,
      sessions: plan.sessions,
      skippedLines: plan.skippedLines,
      projects: plan.projects.map((project) => ({
        project: project.project,
        sessions: project.sessions,
        ...(project.phrasedBy ? { phrasedBy: project.phrasedBy } : {}),
        rules: project.rules,
        files: project.targets.map((t) => ({ agent: t.agent, file: t.file, changed: t.changed })),
      })),
      written,
      suggestions,
    };
  }

  /** Suggestions for headroom's own settings from its stats, for the projects learned (all with --all). */
  private async feedback(
    config: ReturnType<LearnCommand['resolve']>['config'],
    plan: LearnPlan,
    all: boolean,
  ): Promise<CompressionSuggestion[]> {
    const headroom = await createHeadroom(config);
    try {
      const store = await headroom.stats({ readOnly: true });
      // Read a page at a time: the feedback holds counts, not rows.
      const tally = new FeedbackTally();
      const take = (rows: RequestRow[]) => {
        for (const row of rows) tally.add(row);
      };
      if (all) await store.scanRows({}, take);
      else for (const { project } of plan.projects) await store.scanRows({ project }, take);
      return tally.suggestions(config.minTokens);
    } catch {
      // No stats yet (headroom never proxied here), or a store that cannot be read: no suggestions.
      return [];
    } finally {
      await headroom.close();
    }
  }

  private report(
    plan: LearnPlan,
    suggestions: CompressionSuggestion[],
    applied: boolean,
    written: { file: string; backup: string | undefined }[],
  ): void {
    for (const project of plan.projects) {
      for (const target of project.targets) {
        if (!target.changed || target.after === undefined) continue;
        if (!applied)
          this.log(
            colourDiff(createTwoFilesPatch(target.file, target.file, target.before ?? '', target.after)),
          );
      }
    }
    const rules = plan.projects.reduce((sum, p) => sum + p.rules.length, 0);
    const changed = plan.projects.flatMap((p) => p.targets.filter((t) => t.changed));
    this.log(
      `headroom: ${plan.sessions} session${plan.sessions === 1 ? '' : 's'} in ${plan.logs} log${plan.logs === 1 ? '' : 's'}, ${rules} rule${rules === 1 ? '' : 's'} for ${plan.projects.length} project${plan.projects.length === 1 ? '' : 's'}`,
    );
    for (const project of plan.projects)
      if (project.phrasedBy)
        this.log(`headroom: rules for ${project.project} worded by ${project.phrasedBy}`);
    if (applied) {
      for (const { file, backup } of written)
        this.log(`headroom: wrote ${file}${backup ? ` (backup: ${backup})` : ''}`);
      if (written.length === 0) this.log('headroom: nothing to change');
    } else if (changed.length > 0) {
      this.log(
        `headroom: dry run; \`headroom learn --apply\` writes ${changed.map((t) => t.file).join(', ')}`,
      );
    } else {
      this.log('headroom: nothing to change');
    }
    for (const suggestion of suggestions)
      this.log(`headroom: ${suggestion.text} (\`${suggestion.command}\`)`);
  }
}

/** A unified diff with its added and removed lines coloured (chalk leaves them plain off a terminal). */
function colourDiff(patch: string): string {
  return patch
    .split('\n')
    .map((line) =>
      line.startsWith('+') && !line.startsWith('+++')
        ? chalk.green(line)
        : line.startsWith('-') && !line.startsWith('---')
          ? chalk.red(line)
          : line,
    )
    .join('\n');
}
