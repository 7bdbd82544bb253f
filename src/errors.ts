// Errors a user can act on: each class carries a one-line message and the exit code the CLI ends with.
// Commands print `headroom: <message>` and never a stack trace for these.

import { constants } from 'node:os';

/** Something failed: exit code 1 unless a subclass says otherwise. */
export class HeadroomError extends Error {
  readonly exitCode: number;

  constructor(message: string, options?: ErrorOptions & { exitCode?: number }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = options?.exitCode ?? 1;
  }
}

/** The command line asked for something that cannot be: an unknown name, a malformed argument (exit 2). */
export class UsageError extends HeadroomError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, exitCode: 2 });
  }
}

/** A setting (flag, environment variable or config file entry) has a value headroom cannot use (exit 2). */
export class ConfigError extends UsageError {}

/** An agent's program is not installed (exit 127, as a shell says for a missing command). */
export class AgentNotFoundError extends HeadroomError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, exitCode: 127 });
  }
}

/** An agent's program is there but cannot be run (exit 126, as a shell says). */
export class AgentNotRunnableError extends HeadroomError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, exitCode: 126 });
  }
}

/** No memory has the id a `headroom memory` command was given. */
export class MemoryNotFoundError extends HeadroomError {
  constructor(id: string) {
    super(`no memory ${id} (see \`headroom memory list --scope all\`)`);
  }
}

/** The exit status a shell reports for a process ended by `signal` (130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}
