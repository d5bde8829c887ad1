/**
 * The running services' processes as Linux's /proc shows them: which pid runs each service (by its
 * entry point in /proc/<pid>/cmdline), its resident memory and the CPU time it has used. CPU time
 * per unit of work is the figure that stays comparable on a busy 2-core machine, where throughput
 * swings with whatever else runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** This checkout's root: its own services are preferred over another checkout's on the same machine. */
const ROOT = path.resolve(__dirname, '..', '..', '..');

export const SERVICES = ['user', 'cart', 'inventory', 'order', 'payment'] as const;
export type Service = (typeof SERVICES)[number];

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/**
 * pid of each service process found (a service with several instances: the last one listed). A
 * process of this checkout wins over one of another checkout (a second worktree's tests may run
 * the same entry points at the same time).
 */
export function servicePids(): Partial<Record<Service, number>> {
  const out: Partial<Record<Service, number>> = {};
  const ours: Partial<Record<Service, number>> = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    for (const s of SERVICES) {
      if (cmd.includes(path.join(ROOT, 'services', s, 'dist', 'main.js'))) {
        ours[s] = Number(entry);
      } else if (cmd.includes(`services/${s}/dist/main.js`)) {
        out[s] = Number(entry);
      }
    }
  }
  return { ...out, ...ours };
}

/** Every service's pid, or an error naming the ones not running on this machine. */
export function requireServicePids(): Record<Service, number> {
  const pids = servicePids();
  const missing = SERVICES.filter((s) => !pids[s]);
  if (missing.length > 0) {
    throw new Error(`no process found for ${missing.join(', ')} (is the system running on this machine?)`);
  }
  return pids as Record<Service, number>;
}

/** The pid of one service, or an error saying it is not running on this machine. */
export function requireServicePid(service: Service): number {
  const pid = servicePids()[service];
  if (!pid) {
    throw new Error(`no ${service} process on this machine (is the system running?)`);
  }
  return pid;
}

/** NaN once the process is gone (a crash shows in the samples instead of ending a soak). */
export function rssMb(pid: number): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return Number.NaN;
  }
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : Number.NaN;
}

/** User + system CPU seconds the process has used so far; NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return Number.NaN;
  }
  return statCpuSeconds(stat);
}

/** utime + stime of a /proc/<pid>/stat line, in seconds. */
function statCpuSeconds(stat: string): number {
  // Fields after the parenthesised command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * CPU seconds used so far by each PostgreSQL server process on this machine (postmaster, backends,
 * walwriter, checkpointer, autovacuum), by pid: the database's share of a unit of work, read like a
 * service's. Compare two samples with `postgresCpuBetween`.
 */
export function postgresCpuSample(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres') {
      out.set(Number(entry), statCpuSeconds(stat));
    }
  }
  return out;
}

/**
 * CPU seconds PostgreSQL used between two samples: per process alive at the end, from its first
 * sample (or from 0 if it started in between). A backend that exited in between takes its time
 * with it, so this reads low while connections churn; the services' pools keep theirs open.
 */
export function postgresCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) {
    total += Math.max(0, seconds - (before.get(pid) ?? 0));
  }
  return total;
}

/** CPU seconds of every service now; `since` of a later sample gives each one's use in between. */
export function cpuSample(pids: Record<Service, number>): Record<Service, number> {
  return Object.fromEntries(SERVICES.map((s) => [s, cpuSeconds(pids[s])])) as Record<Service, number>;
}

/** Milliseconds of CPU per unit of work between two samples, per service and in total. */
export function cpuMsPer(
  before: Record<Service, number>,
  after: Record<Service, number>,
  units: number,
): Record<Service | 'total', number> {
  const per = (s: Service) => Math.round(((after[s] - before[s]) * 1000 * 100) / Math.max(1, units)) / 100;
  const out = Object.fromEntries(SERVICES.map((s) => [s, per(s)])) as Record<Service | 'total', number>;
  out.total = Math.round(SERVICES.reduce((n, s) => n + out[s], 0) * 100) / 100;
  return out;
}
