// Regenerates the console's typed GraphQL operations in memory and lists the committed files
// under web/src/gql/ that differ (exit 1), so that a stale or hand-edited output is caught.
import fs from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import config from '../web/codegen';

async function main(): Promise<void> {
  const root = path.join(__dirname, '..');
  process.chdir(root);
  const outputs: { filename: string; content: string }[] = await generate({ ...config, silent: true }, false);
  const drifted = outputs
    .filter((o) => !fs.existsSync(path.resolve(root, o.filename)) || fs.readFileSync(path.resolve(root, o.filename), 'utf8') !== o.content)
    .map((o) => o.filename);
  process.stdout.write(JSON.stringify({ files: outputs.map((o) => o.filename).sort(), drifted }) + '\n');
  process.exit(drifted.length ? 1 : 0);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
