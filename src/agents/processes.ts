// The agent's process tree, read from /proc: which processes descend from it (remembered while it runs,
// since orphans are re-parented away the moment it exits) and how to end the ones it leaves behind.

import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Clock ticks after boot; with the pid it names one process even after the pid is reused. */
  startTime: number;
}

interface Stat extends ProcessInfo {
  state: string;
  pgrp: number;
  ttyNr: number;
  tpgid: number;
}

// /proc/<pid>/stat is `pid (comm) state ppid pgrp session tty_nr tpgid ... starttime ...`; comm may hold
// spaces and parentheses, so fields are counted from the last `)`.
function parseStat(text: string): Stat | undefined {
  const close = text.lastIndexOf(')');
  if (close === -1) return undefined;
  const fields = text.slice(close + 2).split(' ');
  const pid = Number.parseInt(text, 10);
  const ppid = Number(fields[1]);
  const startTime = Number(fields[19]);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isFinite(startTime)) return undefined;
  return {
    pid,
    ppid,
    startTime,
    state: fields[0] ?? '',
    pgrp: Number(fields[2]),
    ttyNr: Number(fields[4]),
    tpgid: Number(fields[5]),
  };
}

function readStat(pid: number | 'self'): Stat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True where processes can be inspected through /proc (Linux). */
export const canInspectProcesses = readStat('self') !== undefined;

/** Every live process by pid; zombies count as gone. Empty where /proc is unavailable. */
export function readProcessTable(): Map<number, ProcessInfo> {
  const table = new Map<number, ProcessInfo>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return table;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.state !== 'Z')
      table.set(stat.pid, { pid: stat.pid, ppid: stat.ppid, startTime: stat.startTime });
  }
  return table;
}

/** The processes below `roots` in `table` (not the roots themselves). */
export function descendantsOf(
  roots: Iterable<number>,
  table: ReadonlyMap<number, ProcessInfo>,
): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const info of table.values()) {
    const siblings = children.get(info.ppid);
    if (siblings) siblings.push(info);
    else children.set(info.ppid, [info]);
  }
  const found: ProcessInfo[] = [];
  const seen = new Set<number>();
  const queue = [...roots];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** True when the same process (pid and start time) still runs. */
export function isRunning(info: ProcessInfo): boolean {
  const stat = readStat(info.pid);
  return stat !== undefined && stat.state !== 'Z' && stat.startTime === info.startTime;
}

/**
 * True when this process is in the foreground process group of its terminal, where the terminal itself
 * delivers Ctrl-C (SIGINT) and Ctrl-\ (SIGQUIT) to the whole group, the agent included.
 */
export function inTerminalForeground(): boolean {
  const self = readStat('self');
  if (!self) return process.stdin.isTTY === true;
  return self.ttyNr !== 0 && self.tpgid === self.pgrp;
}

/**
 * Remembers every process that descends from `rootPid` while it runs, so what it leaves behind can be
 * found after it exits (by then the kernel has re-parented its orphans to init or a subreaper).
 */
export class DescendantTracker {
  private readonly known = new Map<number, ProcessInfo>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly rootPid: number,
    private readonly intervalMs = 200,
  ) {}

  start(): this {
    if (!canInspectProcesses) return this;
    this.scan();
    this.timer = setInterval(() => this.scan(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Descendants still running now: those seen before plus anything they (or the root) started since. */
  remaining(): ProcessInfo[] {
    this.stop();
    if (!canInspectProcesses) return [];
    this.scan();
    return [...this.known.values()].filter(isRunning);
  }

  private scan(): void {
    const table = readProcessTable();
    const alive = [...this.known.values()].filter((p) => table.get(p.pid)?.startTime === p.startTime);
    const roots = [this.rootPid, ...alive.map((p) => p.pid)];
    for (const info of descendantsOf(roots, table)) {
      if (info.pid !== process.pid) this.known.set(info.pid, info);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM each process, then SIGKILL whatever still runs after `graceMs`. Returns how many were ended. */
export async function terminate(processes: readonly ProcessInfo[], graceMs = 2000): Promise<number> {
  const signal = (info: ProcessInfo, name: NodeJS.Signals) => {
    if (!isRunning(info)) return;
    try {
      process.kill(info.pid, name);
    } catch {
      // Gone between the check and the signal.
    }
  };
  for (const info of processes) signal(info, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processes.some(isRunning) && Date.now() < deadline) await sleep(25);
  for (const info of processes) signal(info, 'SIGKILL');
  return processes.length;
}
