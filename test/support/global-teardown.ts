import { dropTemplate } from './template';

/** jest globalTeardown: removes the run's template database (template.ts). */
export default async function globalTeardown(): Promise<void> {
  await dropTemplate();
}
