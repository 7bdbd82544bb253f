// The session-log fixtures beside this file, installed into a private HOME as each agent lays its logs out,
// with the project they name pointed at a real directory.

import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const HOME_DIRS: Record<string, string> = { claude: '.claude', codex: '.codex', gemini: '.gemini' };
/** What the fixtures write where the project's directory goes. */
const PROJECT = '__PROJECT__';

export interface FixtureHome {
  home: string;
  project: string;
  env: Record<string, string>;
}

function replaceProject(dir: string, project: string): void {
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    writeFileSync(path, readFileSync(path, 'utf8').replaceAll(PROJECT, project));
  }
}

/** A fresh HOME holding `agents`' fixture logs about a fresh, empty project directory. */
export function fixtureHome(agents: readonly string[] = Object.keys(HOME_DIRS)): FixtureHome {
  const root = mkdtempSync(join(tmpdir(), 'headroom-learn-'));
  const home = join(root, 'home');
  const project = join(root, 'project');
  mkdirSync(project, { recursive: true });
  for (const agent of agents) {
    const target = join(home, HOME_DIRS[agent] as string);
    cpSync(join(FIXTURES, agent), target, { recursive: true });
    replaceProject(target, project);
  }
  return { home, project, env: { HOME: home } };
}
