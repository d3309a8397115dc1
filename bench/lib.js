// Shared plumbing of the benchmarks: a scratch PostgreSQL database, child servers, autocannon runs.
const { spawn, execFileSync } = require('node:child_process');
const path = require('node:path');
const autocannon = require('autocannon');
const { Client } = require('pg');

const ROOT = path.join(__dirname, '..');
const ADMIN_URL = process.env.BENCH_ADMIN_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';

async function sql(url, text, params) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end();
  }
}

/** A new database on the real PostgreSQL server; returns its URL and a drop function. */
async function scratchDatabase(prefix) {
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  await sql(ADMIN_URL, `create database "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => sql(ADMIN_URL, `drop database if exists "${name}" with (force)`) };
}

/**
 * A random listening port below Linux's ephemeral range (32768-60999, net.ipv4.ip_local_port_range),
 * so that no outgoing connection of another process on the machine already holds it.
 */
function freePort() {
  return 20000 + Math.floor(Math.random() * 12000);
}

/** Starts a child process and resolves once `ready(line)` sees the readiness line on stdout/stderr. */
function startProcess(args, env, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let out = '';
    const onData = (d) => {
      out += d.toString();
      if (ready(out)) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('message', (m) => m === 'ready' && resolve(child));
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out.slice(-2000)}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
}

const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

/** CPU time (user + system, µs) a process has used so far, from Linux's /proc; 0 once it is gone. */
function cpuOf(pid) {
  try {
    const fields = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US; // utime, stime (stat fields 14, 15)
  } catch {
    return 0;
  }
}

/**
 * CPU time of each PostgreSQL process on this machine (server and backends), µs by pid; null if
 * there is none (a remote server).
 */
function postgresCpu() {
  const fs = require('node:fs');
  const byPid = new Map();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') byPid.set(pid, cpuOf(pid));
    } catch {
      // gone meanwhile
    }
  }
  return byPid.size > 0 ? byPid : null;
}

/** CPU the PostgreSQL processes used between two samples: a backend that started meanwhile counts whole, one that ended is lost. */
function postgresCpuSince(before) {
  const after = postgresCpu();
  if (before === null || after === null) return null;
  let used = 0;
  for (const [pid, t] of after) used += t - (before.get(pid) ?? 0);
  return used;
}

/**
 * One autocannon run; returns requests per second (mean) and latency, and fails on any non-2xx.
 * Given the pid of the process that serves it, it also returns the CPU time each request cost, in
 * µs: that process (`server`), the machine's PostgreSQL (`db`) and this load generator
 * (`client`). Throughput ratios on a machine where all three share the cores follow these sums, so
 * they say where a ratio is lost, and they drift far less between runs than requests per second.
 */
async function load(title, opts, pid) {
  const before = pid ? { server: cpuOf(pid), db: postgresCpu(), client: process.cpuUsage() } : undefined;
  const result = await autocannon({ connections: 50, duration: Number(process.env.BENCH_SECONDS || 10), ...opts });
  if (result.requests.total === 0) throw new Error(`${title}: no request completed in ${result.duration} s (raise BENCH_SECONDS)`);
  const errors = result.non2xx + result.errors + result.timeouts;
  if (errors > 0) throw new Error(`${title}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  const row = { title, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
  if (before) {
    const n = result.requests.total;
    const db = postgresCpuSince(before.db);
    const client = process.cpuUsage(before.client);
    row.cpu = { server: (cpuOf(pid) - before.server) / n, db: db === null ? null : db / n, client: (client.user + client.system) / n };
  }
  return row;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);

/**
 * A row and its ceiling measured in alternating rounds (BENCH_ROUNDS, 3 by default; the ceiling
 * first in odd rounds, the row first in even ones), each load half of BENCH_SECONDS (at least 4 s):
 * this machine's speed drifts by tens of per cent within a minute, and one ceiling measured once
 * beside rows measured up to a minute later made the same code's ratio read 0.50 in one run and
 * 0.80 in the next. The ratio is the median of the rounds' own ratios; the rows returned merge the
 * rounds (mean req/s and CPU, median p50, highest p99) for the report.
 */
async function paired(ceiling, row, rounds = ROUNDS) {
  const seconds = Math.max(4, Number(process.env.BENCH_SECONDS || 10) / 2);
  const runs = { ceiling: [], row: [] };
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? ['ceiling', 'row'] : ['row', 'ceiling'];
    for (const which of order) {
      const spec = which === 'ceiling' ? ceiling : row;
      runs[which].push(await load(spec.title, { duration: seconds, ...spec.opts }, spec.pid));
    }
  }
  const ratios = runs.row.map((r, i) => r.rps / runs.ceiling[i].rps);
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const merge = (rs) => ({
    title: rs[0].title,
    rps: rs.reduce((n, r) => n + r.rps, 0) / rs.length,
    p50: median(rs.map((r) => r.p50)),
    p99: Math.max(...rs.map((r) => r.p99)),
    cpu: rs.every((r) => r.cpu)
      ? Object.fromEntries(['server', 'db', 'client'].map((k) => [k, rs.some((r) => r.cpu[k] === null) ? null : rs.reduce((n, r) => n + r.cpu[k], 0) / rs.length]))
      : undefined,
  });
  const merged = { ceiling: merge(runs.ceiling), row: merge(runs.row) };
  merged.row.paired = { ceiling: merged.ceiling, ratio: median(ratios), rounds: ratios };
  return merged;
}

/** `rounds 0.58 / 0.61 / 0.66`: a paired row's rounds (see paired). */
function roundsOf(row) {
  return `rounds ${row.paired.rounds.map((x) => x.toFixed(2)).join(' / ')}`;
}

/** `server 630 + db 262 + client 114 = 1006 µs CPU/request` */
function cpuLine(r) {
  if (!r.cpu) return '';
  const { server, db, client } = r.cpu;
  const parts = [`server ${server.toFixed(0)}`, ...(db === null ? [] : [`db ${db.toFixed(0)}`]), `client ${client.toFixed(0)}`];
  return `${parts.join(' + ')} = ${(server + (db ?? 0) + client).toFixed(0)} µs CPU/request`;
}

function cli(args, env) {
  return JSON.parse(execFileSync(process.execPath, [path.join(ROOT, 'bin/provisio.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env } }).toString());
}

/** A row's throughput ratio to `baseline`: the median of the paired rounds when it is the row's paired ceiling. */
function ratioTo(baseline, row) {
  return row.paired?.ceiling === baseline ? row.paired.ratio : row.rps / baseline.rps;
}

function report(baseline, rows, aims) {
  const line = (r) =>
    `${r.title.padEnd(60)} ${r.rps.toFixed(0).padStart(8)} req/s  p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms` +
    (r === baseline ? '   (baseline)' : `   ratio ${ratioTo(baseline, r).toFixed(3)}${r.paired?.ceiling === baseline ? ` (median of ${roundsOf(r)})` : ''}${aims[r.title] ? `  (aim >= ${aims[r.title]})` : ''}`) +
    (r.cpu ? `\n${''.padEnd(62)}${cpuLine(r)}` : '');
  console.log([line(baseline), ...rows.map(line)].join('\n'));
}

/**
 * What an aim of `target` x a ceiling leaves the server, in CPU per request: on a machine whose cores
 * the load generator, the database and the server share (all busy), throughput follows the total
 * CPU each request costs, so reaching `target` means a total of at most ceiling total / target.
 */
function cpuBudget(ceiling, row, target) {
  if (!ceiling.cpu || !row.cpu || ceiling.cpu.db === null || row.cpu.db === null) return;
  const total = (c) => c.server + c.db + c.client;
  const allowed = total(ceiling.cpu) / target;
  const server = allowed - row.cpu.db - row.cpu.client;
  console.log(
    `  CPU budget of ${row.title} at ${target}x: ${allowed.toFixed(0)} µs/request in all; it spends ${total(row.cpu).toFixed(0)} ` +
      `(server ${row.cpu.server.toFixed(0)}), so with its db and client cost the server would have ${server.toFixed(0)} µs ` +
      `(the ceiling's own server spends ${ceiling.cpu.server.toFixed(0)})`,
  );
}

/** Runs several loads over the same seconds (connections split between them), e.g. a mixed window. */
async function loadTogether(specs) {
  const each = Math.max(1, Math.floor(50 / specs.length));
  return Promise.all(specs.map(([title, opts]) => load(title, { connections: each, ...opts })));
}

/**
 * The issue 16 aims, collected over the run and printed together at its end: each a same-run ratio
 * (or, where the issue states only an earlier figure, a ratio to that figure, marked as such).
 */
const aims = [];
function aim(title, ratio, target, detail = '') {
  aims.push({ title, ratio, target, detail });
}
function printAims() {
  if (aims.length === 0) return;
  console.log('\nIssue 16 aims (ratios measured in this run unless marked):');
  for (const a of aims) {
    const met = a.ratio >= a.target ? 'met' : 'NOT met';
    console.log(`  ${a.title.padEnd(72)} ${a.ratio.toFixed(3).padStart(6)}x  aim >= ${a.target}  ${met}${a.detail ? `   ${a.detail}` : ''}`);
  }
}

/** Samples a process's resident set size (Linux /proc) every `everyMs` until stopped. */
function sampleRss(pid, everyMs = 1000) {
  const samples = [];
  const read = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) samples.push(Number(m[1]) * 1024);
    } catch {
      // the process is gone or /proc is not there: no sample
    }
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    stop() {
      clearInterval(timer);
      read();
      return samples;
    },
  };
}

module.exports = { cpuLine, cpuBudget, ROOT, scratchDatabase, freePort, startProcess, stop, load, paired, ratioTo, roundsOf, loadTogether, cli, report, sql, aim, printAims, sampleRss };
