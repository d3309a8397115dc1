/** Weak entity tag of a resource version (RFC 7644 §3.14, RFC 7232 §2.3). */
export function etag(version: number): string {
  return `W/"${version}"`;
}

/** RFC 7643 §3.1 `meta` of a resource. */
export function resourceMeta(
  resourceType: string,
  r: { createdAt: Date; updatedAt: Date; version: number },
  location: string,
): Record<string, unknown> {
  return {
    resourceType,
    created: r.createdAt.toISOString(),
    lastModified: r.updatedAt.toISOString(),
    location,
    version: etag(r.version),
  };
}

/** An If-Match / If-None-Match value: any current representation, or the versions it names. */
export type EntityTagCondition = '*' | number[];

/**
 * Parses an If-Match or If-None-Match field value (RFC 7232 §3.1-§3.2): `*`, or a comma-separated
 * list of entity tags, weak or strong. Comparison is weak (RFC 7644 §3.14 pairs weak ETags with
 * If-Match), so `W/"3"` and `"3"` both name version 3. A tag that is not one of ours (another
 * server's tag, a malformed value) names no version: it matches nothing, so a write under it gets
 * 412 rather than proceeding on a guess. Undefined when the header is absent.
 */
export function parseEntityTags(value: string | undefined): EntityTagCondition | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (text === '*') return '*';
  const versions: number[] = [];
  for (const m of text.matchAll(/(?:W\/)?"([^"]*)"/gi)) {
    if (/^[1-9][0-9]{0,15}$/.test(m[1])) versions.push(Number(m[1]));
  }
  return versions;
}

/** Whether a condition names `version` (weak comparison, RFC 7232 §2.3.2). */
export function matchesVersion(condition: EntityTagCondition, version: number): boolean {
  return condition === '*' || condition.includes(version);
}
