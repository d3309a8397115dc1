import { URN } from '../schema/core-schemas';
import { userNameKey } from '../user/username';
import type { ResolvedPath } from './filter-resolve';

/**
 * Attributes whose `eq` compares comparison keys rather than lower-cased text: User.userName by
 * its RFC 8265 UsernameCaseMapped key (src/domain/user/username.ts). Shared by the SQL compiler
 * (which reads the key column, storage.comparisonKeys) and the in-memory evaluator, so both agree.
 */
export function comparisonKeyOf(p: ResolvedPath): ((value: string) => string) | undefined {
  return !p.extensionUrn && !p.sub && p.key === 'username' && p.schemaUrn?.toLowerCase() === URN.user.toLowerCase() ? userNameKey : undefined;
}
