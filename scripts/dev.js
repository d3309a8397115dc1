#!/usr/bin/env node
// `npm run dev`: compiles, then recompiles on change (one tsc --watch) and restarts the server on
// every new build (node --watch), with readable logs through pino-pretty. Not for production:
// there `npm start` runs the dist/ that `npm ci` (prepare) or `npm run build` compiled.
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const children = [];
let stopping = false;
// pino-pretty is not signalled: it ends when the server's output ends, so the server's last lines
// ("shutting down", "stopped") are printed too, and nothing is written into a pipe it has closed
const stop = () => {
  stopping = true;
  for (const c of children) if (!c.keepUntilInputEnds) c.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const start = (args, options) => {
  const child = spawn(process.execPath, args, { cwd: root, ...options });
  children.push(child);
  return child;
};

// One compiler: tsc --watch compiles everything once, then what changes. The server starts after the
// first compile ends ("Found N errors. Watching for file changes."); with errors there, dev stops.
const compiler = start([tsc, '-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], { stdio: ['ignore', 'pipe', 'inherit'] });
let compiled = false;
let buffered = '';
compiler.stdout.on('data', (d) => {
  process.stdout.write(d);
  if (compiled) return;
  buffered += d;
  const done = /Found (\d+) errors?\. Watching for file changes/.exec(buffered);
  if (!done) return;
  compiled = true;
  if (Number(done[1]) > 0) {
    process.exitCode = 1;
    return stop();
  }
  serve();
});
compiler.on('exit', (code) => {
  if (!stopping) {
    process.exitCode = code ?? 1;
    stop();
  }
});

function serve() {
  const server = start(['--watch', '--watch-preserve-output', 'dist/src/main.js', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pretty = start([path.join(root, 'node_modules/pino-pretty/bin.js'), '--colorize', '--translateTime', 'SYS:HH:MM:ss.l', '--ignore', 'pid,hostname'], {
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  pretty.keepUntilInputEnds = true;
  // a Ctrl-C in a terminal signals the whole process group, pino-pretty included: once it is gone,
  // the server's last lines have nowhere to go (EPIPE), which must not end dev.js with an error
  pretty.stdin.on('error', () => {});
  server.stdout.pipe(pretty.stdin);
  server.on('exit', (code) => {
    // stopped by a signal (Ctrl-C, SIGTERM) is a normal end, whatever code the killed server exits with
    // (node --watch may exit 1 when it is killed, depending on the Node version and timing)
    if (!stopping) process.exitCode = code ?? 0;
    stop();
  });
}
