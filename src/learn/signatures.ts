// Why a call failed, read from its result: a known error signature when the text has one (a command or a
// module not found, a missing file, a refusal, a timeout, failing tests, a traceback), else its exit code.

import type { ToolCall } from './types.js';

export type FailureReason =
  | 'command-not-found'
  | 'no-such-file'
  | 'module-not-found'
  | 'permission-denied'
  | 'timeout'
  | 'test-failure'
  | 'traceback'
  | 'interrupted'
  | 'error';

export interface Signature {
  reason: FailureReason;
  /** The missing command or module, when the text names it. */
  subject?: string;
}

interface SignatureRule {
  reason: FailureReason;
  pattern: RegExp;
}

// Order matters: a traceback that ends in ModuleNotFoundError is a missing module, and a test run that
// could not find its runner is a missing command.
const SIGNATURES: readonly SignatureRule[] = [
  { reason: 'command-not-found', pattern: /(?:^|[\s:])([\w.+-]+): (?:command )?not found\b/m },
  {
    reason: 'command-not-found',
    pattern: /'([\w.+-]+)' is not recognized as an internal or external command/,
  },
  { reason: 'command-not-found', pattern: /\bspawn ([\w./+-]+) ENOENT\b/ },
  { reason: 'module-not-found', pattern: /No module named '?([\w.-]+)'?/ },
  { reason: 'module-not-found', pattern: /Cannot find (?:module|package) '([^']+)'/ },
  { reason: 'module-not-found', pattern: /\bERR_MODULE_NOT_FOUND\b/ },
  { reason: 'permission-denied', pattern: /\bPermission denied\b|\bEACCES\b|\bEPERM\b/ },
  {
    reason: 'no-such-file',
    pattern: /No such file or directory|\bENOENT\b|File does not exist|File not found|does not exist\b/i,
  },
  { reason: 'timeout', pattern: /\btimed? ?out\b|\bETIMEDOUT\b/i },
  {
    reason: 'test-failure',
    pattern: /\b\d+ (?:failed|failing)\b|^FAIL\b|\bTests?:\s+\d+ failed|AssertionError/m,
  },
  { reason: 'traceback', pattern: /Traceback \(most recent call last\)/ },
];

/** The signature of a failed call. */
export function signatureOf(call: ToolCall): Signature {
  if (call.interrupted) return { reason: 'interrupted' };
  for (const { reason, pattern } of SIGNATURES) {
    const match = pattern.exec(call.text);
    if (match) return match[1] ? { reason, subject: match[1] } : { reason };
  }
  if (call.exitCode === 127) {
    const binary = call.target.split(/\s+/)[0];
    return binary ? { reason: 'command-not-found', subject: binary } : { reason: 'command-not-found' };
  }
  return { reason: 'error' };
}

/** The signature in words, for a rule. */
export function describeSignature(signature: Signature, exitCode: number | undefined): string {
  switch (signature.reason) {
    case 'command-not-found':
      return signature.subject ? `\`${signature.subject}\` is not installed` : 'command not found';
    case 'module-not-found':
      return signature.subject ? `module \`${signature.subject}\` not found` : 'module not found';
    case 'no-such-file':
      return 'no such file';
    case 'permission-denied':
      return 'permission denied';
    case 'timeout':
      return 'it timed out';
    case 'test-failure':
      return 'tests failed';
    case 'traceback':
      return 'a Python traceback';
    case 'interrupted':
      return 'stopped by the user';
    case 'error':
      return exitCode !== undefined && exitCode !== 0 ? `exit code ${exitCode}` : 'an error';
  }
}
