// Opening the verification page for the user where there is a desktop to open it on; a failure to open it is
// not an error (the URL is printed either way).

import { execa } from 'execa';

/** The command that opens a URL on this platform, or undefined where there is no desktop. */
function opener(env: NodeJS.ProcessEnv): [string, string[]] | undefined {
  if (process.platform === 'darwin') return ['open', []];
  if (process.platform === 'win32') return ['cmd', ['/c', 'start', '""']];
  return env.DISPLAY || env.WAYLAND_DISPLAY ? ['xdg-open', []] : undefined;
}

/** Try to open `url` in the user's browser; true when an opener was started. */
export function openInBrowser(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const command = opener(env);
  if (!command) return false;
  const [program, args] = command;
  try {
    const child = execa(program, [...args, url], { env, detached: true, stdio: 'ignore', reject: false });
    child.unref();
    return true;
  } catch {
    return false;
  }
}
