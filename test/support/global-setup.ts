import { nameTemplate } from './template';

/** jest globalSetup: names the run's template database, which the first test file builds (template.ts). */
export default async function globalSetup(): Promise<void> {
  nameTemplate();
}
