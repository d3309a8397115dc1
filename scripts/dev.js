#!/usr/bin/env node
// `npm run dev`: compiles once, then recompiles on change (tsc --watch) and restarts the server on
// every new build (node --watch), with readable logs through pino-pretty. Not for production:
// there `npm start` runs the dist/ that `npm ci` (prepare) or `npm run build` compiled.
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const children = [];
let stopping = false;
const stop = () => {
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const start = (args, options) => {
  const child = spawn(process.execPath, args, { cwd: root, ...options });
  children.push(child);
  return child;
};

start([tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' }).on('exit', (code) => {
  children.length = 0;
  if (stopping || code !== 0) return void (process.exitCode = code ?? 1);
  watch();
});

function watch() {
start([tsc, '-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], { stdio: ['ignore', 'inherit', 'inherit'] });
const server = start(['--watch', '--watch-preserve-output', 'dist/src/main.js', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
const pretty = start([path.join(root, 'node_modules/pino-pretty/bin.js'), '--colorize', '--translateTime', 'SYS:HH:MM:ss.l', '--ignore', 'pid,hostname'], {
  stdio: ['pipe', 'inherit', 'inherit'],
});
server.stdout.pipe(pretty.stdin);

server.on('exit', (code) => {
  stop();
  process.exitCode = code ?? 0;
});
}
