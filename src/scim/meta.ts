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
