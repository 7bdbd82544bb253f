// Runs the agent as a child that owns the terminal (inherited stdio, same foreground process group), passes
// signals on, ends the processes it leaves behind, and lets headroom exit the way the agent did.

import { execa } from 'execa';
import { AgentNotFoundError, AgentNotRunnableError, type HeadroomError, signalExitCode } from '../errors.js';
import { DescendantTracker, inTerminalForeground, terminate } from './processes.js';

export interface AgentExit {
  /** Exit code when the agent exited on its own. */
  code?: number;
  /** Signal that ended the agent, if one did. */
  signal?: NodeJS.Signals;
}

export interface SuperviseOptions {
  command: string;
  args: readonly string[];
  /** The agent's complete environment. */
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  /** What to say when the binary cannot be started (e.g. how to install it). */
  installHint?: string;
  /** How long a forwarded SIGTERM/SIGHUP may take before the agent is killed. */
  terminateGraceMs?: number;
  /** How long leftover descendants get between SIGTERM and SIGKILL. */
  orphanGraceMs?: number;
  /** Called once the agent runs (headroom stays silent from then on). */
  onStart?: (pid: number) => void;
}

/** Signals the terminal sends to its whole foreground group: the agent gets them without headroom's help. */
const TERMINAL_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT'];
/** Signals aimed at headroom alone (a service manager, a closed terminal, `kill`): passed on to the agent. */
const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

/** Run the agent to completion and report how it ended. Spawn failures throw a HeadroomError (127/126). */
export async function superviseAgent(options: SuperviseOptions): Promise<AgentExit> {
  const child = execa(options.command, [...options.args], {
    env: options.env,
    extendEnv: false,
    cwd: options.cwd,
    stdio: 'inherit',
    reject: false,
    forceKillAfterDelay: false,
  });

  let killTimer: NodeJS.Timeout | undefined;
  const send = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of TERMINAL_SIGNALS) {
    // Ctrl-C from the terminal already reached the agent; sending it again would count as a second press
    // (several agents quit on a double Ctrl-C). From anywhere else, it is passed on.
    handlers.set(signal, () => {
      if (!inTerminalForeground()) send(signal);
    });
  }
  for (const signal of FORWARDED_SIGNALS) {
    handlers.set(signal, () => {
      send(signal);
      killTimer ??= setTimeout(() => send('SIGKILL'), options.terminateGraceMs ?? 10_000);
    });
  }
  for (const [signal, handler] of handlers) process.on(signal, handler);

  const tracker = child.pid === undefined ? undefined : new DescendantTracker(child.pid).start();
  if (child.pid !== undefined) options.onStart?.(child.pid);
  try {
    const result = await child;
    const cause = result.cause as NodeJS.ErrnoException | undefined;
    if (result.failed && result.exitCode === undefined && result.signal === undefined) {
      throw spawnError(options.command, cause, options.installHint);
    }
    return result.signal ? { signal: result.signal } : { code: result.exitCode ?? 1 };
  } finally {
    clearTimeout(killTimer);
    for (const [signal, handler] of handlers) process.off(signal, handler);
    if (tracker) await terminate(tracker.remaining(), options.orphanGraceMs);
  }
}

function spawnError(command: string, cause: NodeJS.ErrnoException | undefined, hint?: string): HeadroomError {
  const install = hint ? ` (install: ${hint})` : '';
  if (cause?.code === 'ENOENT')
    return new AgentNotFoundError(`cannot start ${command}: not found on PATH${install}`);
  if (cause?.code === 'EACCES')
    return new AgentNotRunnableError(`cannot start ${command}: permission denied`);
  return new AgentNotRunnableError(`cannot start ${command}: ${cause?.message ?? 'unknown error'}`, {
    cause,
  });
}

/**
 * End headroom the way the agent ended: with its exit code, or by the same signal (handlers removed first so
 * the default action applies). Falls back to 128+n where the signal is ignored (e.g. SIGHUP under nohup).
 */
export async function exitLike(exit: AgentExit): Promise<never> {
  if (exit.signal) {
    process.removeAllListeners(exit.signal);
    process.kill(process.pid, exit.signal);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    process.exit(signalExitCode(exit.signal));
  }
  process.exit(exit.code ?? 0);
}
