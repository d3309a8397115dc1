import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL 15 cluster of the test's own, in a temporary directory on a free port, that the
 * test may stop, crash, freeze and restart (the shared server must never be touched so). initdb
 * refuses to run as root: as root, the cluster is made and run by the `postgres` user.
 */
export interface PgCluster {
  url: string;
  port: number;
  start(): void;
  /** `pg_ctl stop -m fast` (sessions end with admin_shutdown) or `-m immediate` (a crash: recovery at next start). */
  stop(mode: 'fast' | 'immediate'): void;
  /** SIGSTOP / SIGCONT to the postmaster and every backend: a server that accepts TCP and never answers. */
  freeze(): void;
  thaw(): void;
  destroy(): void;
}

function run(args: string[]): string {
  const [cmd, ...rest] = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...args] : args;
  return execFileSync(cmd, rest, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

export async function createPgCluster(): Promise<PgCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-pg-'));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:', dir]);
  const data = path.join(dir, 'data');
  run([`${BIN}/initdb`, '-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=50 -c shared_buffers=32MB`;
  const pids = (): number[] => {
    const file = path.join(data, 'postmaster.pid');
    if (!fs.existsSync(file)) return [];
    const main = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
    let children: number[] = [];
    try {
      children = execFileSync('pgrep', ['-P', String(main)]).toString().split('\n').filter(Boolean).map(Number);
    } catch {
      children = [];
    }
    return [main, ...children];
  };
  let frozen: number[] = [];
  const cluster: PgCluster = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => void run([`${BIN}/pg_ctl`, '-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', 'start']),
    stop: (mode) => void run([`${BIN}/pg_ctl`, '-D', data, '-m', mode, '-w', 'stop']),
    freeze() {
      frozen = pids();
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    },
    thaw() {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      frozen = [];
    },
    destroy() {
      try {
        if (frozen.length) cluster.thaw();
        if (fs.existsSync(path.join(data, 'postmaster.pid'))) cluster.stop('immediate');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  cluster.start();
  return cluster;
}
