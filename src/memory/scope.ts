// Whose memories a request reads and writes: the project's (the directory the agent runs in) or the user's
// (one pool for every project on the machine).

import { resolve } from 'node:path';

export type MemoryScopeMode = 'project' | 'user';

export const MEMORY_SCOPES: readonly MemoryScopeMode[] = ['project', 'user'];

/** The scope key memories are kept under: `project:<absolute dir>` or `user`. */
export function memoryScope(mode: MemoryScopeMode, project: string): string {
  return mode === 'user' ? 'user' : `project:${resolve(project)}`;
}

/** The directory a project scope names, or undefined for the user scope. */
export function scopeProject(scope: string): string | undefined {
  return scope.startsWith('project:') ? scope.slice('project:'.length) : undefined;
}

/**
 * The scope a `headroom memory` command works on: undefined for every scope (`all`), else the scope key of
 * `project|user` (the configured mode when not given) for `project` (the current directory when not given).
 */
export function commandScope(
  given: string | undefined,
  configured: MemoryScopeMode,
  project: string | undefined,
): string | undefined {
  if (given === 'all') return undefined;
  return memoryScope((given as MemoryScopeMode | undefined) ?? configured, project ?? process.cwd());
}
