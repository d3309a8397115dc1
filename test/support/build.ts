import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.join(__dirname, '../..');

/** dist/ is what `npm start` and bin/provisio.js run: rebuild it when a source file is newer. */
export function ensureBuilt(): void {
  const main = path.join(ROOT, 'dist/src/main.js');
  const newest = (dir: string): number =>
    Math.max(0, ...fs.readdirSync(dir, { withFileTypes: true }).map((d) => (d.isDirectory() ? newest(path.join(dir, d.name)) : fs.statSync(path.join(dir, d.name)).mtimeMs)));
  if (!fs.existsSync(main) || fs.statSync(main).mtimeMs < Math.max(newest(path.join(ROOT, 'src')), newest(path.join(ROOT, 'migrations')))) {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
  }
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
