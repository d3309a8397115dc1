import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { adminSdl } from './schema';

/** The committed SDL, seen from dist/src/graphql; test/e2e/graphql-schema.test.ts fails when it drifts from the code. */
const SDL_FILE = path.join(__dirname, '../../../schema/admin.graphql');

/** `npm run schema:emit`: writes the admin API's SDL (run from dist/: it needs tsc's decorator metadata). */
if (require.main === module) {
  const file = process.argv[2] ?? SDL_FILE;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, adminSdl());
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
