#!/usr/bin/env node
// `npm test`: the whole suite in two jest runs sharing one migrated template database
// (test/support/template.ts):
//   1. every file except the timing-sensitive ones, in parallel workers (TEST_WORKERS, default 3:
//      most files wait on a database, a broker or a child process more than they compute);
//   2. the files that compare latencies or wait for timeouts (SERIAL below), one at a time, alone on
//      the machine, so the ratios they assert measure the code, not the other workers.
// With arguments (`npm test -- test/e2e/users.test.ts`, or any jest option) it is one jest run, in
// band, as before. Exit status: non-zero when either run failed.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const SERIAL = [
  'test/adversarial/bounded-work.test.ts', // event-loop lag as a ratio to an idle /healthz
  'test/adversarial/fairness.test.ts', // tenant B's latency as a ratio to its solo run
  'test/adversarial/db-faults.test.ts', // /readyz within its timeout while PostgreSQL is frozen
  'test/integration/multi-instance.test.ts', // relay takeover within seconds after SIGKILL
  'test/integration/dev.test.ts', // npm run dev rewrites dist/, which the other files run
];

const jest = (args, env = process.env) =>
  spawnSync(
    process.execPath,
    ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', path.join(root, 'node_modules/jest/bin/jest.js'), ...args],
    { cwd: root, stdio: 'inherit', env },
  ).status ?? 1;

const args = process.argv.slice(2);
if (args.length > 0) process.exit(jest(['--runInBand', ...args]));

// One template for both runs (test/support/template.ts names it from PROVISIO_TEST_RUN): built by the
// first test file that needs it, dropped by the second run's globalTeardown (the first run keeps it).
const env = { ...process.env, PROVISIO_TEST_RUN: `${process.pid}_${Math.random().toString(36).slice(2, 8)}` };

const workers = process.env.TEST_WORKERS || '3';
const parallel = jest([`--maxWorkers=${workers}`, '--testPathIgnorePatterns', ...SERIAL.map((f) => `/${f.replace(/\./g, '\\.')}$`)], {
  ...env,
  PROVISIO_TEST_KEEP_TEMPLATE: '1',
});
const serial = jest(['--runInBand', '--runTestsByPath', ...SERIAL], env);
process.exit(parallel || serial);
