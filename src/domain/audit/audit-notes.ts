/**
 * What a request did, reported by the domain services as they do it (never parsed back out of
 * bodies): the resource ids touched, the names of the attributes changed, and the guard's hold
 * when one kept the request's events back. The audit middleware writes it with the request.
 */
export class AuditNotes {
  readonly resourceIds = new Set<string>();
  readonly changed = new Set<string>();
  holdId: string | null = null;
  /** The filter of a list or search, wherever it came from (URL or SearchRequest body). */
  filter: string | null = null;
  /** What the operation alone does not say (the delete policy applied, why a token was refused): audit_entry.note. */
  note: string | null = null;

  touched(id: string, changed: Iterable<string> = []): void {
    this.resourceIds.add(id);
    for (const name of changed) this.changed.add(name);
  }
}
