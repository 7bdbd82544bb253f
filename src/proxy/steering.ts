// The proxy's memory of verbosity steering: the level each conversation went out with last, so every later
// turn carries the same note (byte-identical) until a cache-cold point lets a new level in. Kept in memory:
// a restarted proxy steers each conversation at the level wanted then.

import type { VerbosityLevel } from '../config.js';
import { sessionOf } from '../history/rewrite-points.js';
import type { OutputDecision, OutputJob } from '../output/steer.js';
import type { ConversationHistory } from './history.js';
import type { SettingsSnapshot } from './runtime-settings.js';

export class SteeringMemory {
  /** By session ('' for conversations without one), then by conversation. */
  private readonly levels = new Map<string, Record<string, VerbosityLevel>>();

  /** What a request's output step is given, or undefined when its snapshot steers nothing. */
  job(
    snapshot: SettingsSnapshot,
    session: string | undefined,
    history: ConversationHistory | undefined,
  ): OutputJob | undefined {
    const { config } = snapshot;
    const levels = this.levels.get(session ?? '') ?? {};
    // A conversation steered before still needs its level kept (or dropped at a cold point) when steering is off.
    if (config.verbosity === 'off' && !config.effortRouting && Object.keys(levels).length === 0)
      return undefined;
    const now = history?.now() ?? Date.now();
    return {
      verbosity: config.verbosity,
      force: config.verbosityForce,
      holdout: config.outputHoldout,
      effort: config.effortRouting ? { to: config.effortLevel, floor: config.thinkingFloor } : undefined,
      session,
      now,
      conversations: history?.warm(now) ?? [],
      levels: { ...levels },
    };
  }

  /** Keep the level a request went out with, before it leaves: the conversation's next turn must match it. */
  steered(decision: OutputDecision): void {
    if (!decision.agentTurn || decision.arm === 'holdout') return;
    const session = sessionOf(decision.conversation) ?? '';
    const levels = this.levels.get(session) ?? {};
    levels[decision.conversation] = decision.level;
    this.levels.set(session, levels);
  }
}
