// Errors a user can act on: each carries a one-line message and the exit code the CLI ends with.
// Commands print `headroom: <message>` and never a stack trace for these.

export class HeadroomError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HeadroomError';
    this.exitCode = exitCode;
  }
}

/** A setting (flag, environment variable or config file entry) has a value headroom cannot use. */
export class ConfigError extends HeadroomError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'ConfigError';
  }
}
