// Configuration for the MikroORM CLI (npm run migration:create), which diffs the entities against
// the committed snapshot in migrations/. DATABASE_URL must point at a scratch database.
import { ormOptions } from './orm';

export default ormOptions(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/provisio_dev', 1);
