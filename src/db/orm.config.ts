// Configuration for the MikroORM CLI (npm run migration:create), which diffs the entities against
// the committed snapshot in migrations/. DATABASE_URL must point at a scratch database.
import { ormOptions } from './orm';

const options = ormOptions(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/provisio_dev', 1);

// the one user of the snapshot: migration:create diffs the entities against it, then stores the new one
export default { ...options, migrations: { ...options.migrations, snapshot: true } };
