import type { BulkOperation } from './bulk-request';

/** RFC 7644 §3.7.2: a reference to the resource a POST of the same request creates. */
const PREFIX = 'bulkId:';

/**
 * The bulkId a string value references (`bulkId:u1` -> `u1`), if it is one. The prefix is matched
 * exactly, as the RFC spells it, so ordinary values that merely look alike are left alone.
 */
export function referencedBulkId(value: string): string | undefined {
  return value.length > PREFIX.length && value.startsWith(PREFIX) ? value.slice(PREFIX.length) : undefined;
}

/** Deepest JSON nesting an operation's data may have: the walks below stay well inside it. */
const MAX_DEPTH = 64;

/**
 * Every bulkId referenced by an operation: string values anywhere in its data (a member's value,
 * a manager's value, …) and the id segment of its path (`/Groups/bulkId:g1`). Iterative, with a
 * depth limit, so hostile nesting cannot overflow the stack; undefined when the data is too deep.
 */
export function operationReferences(op: BulkOperation): Set<string> | undefined {
  const refs = new Set<string>();
  if (typeof op.path === 'string') {
    const last = op.path.split('/').pop() ?? '';
    const id = referencedBulkId(last);
    if (id !== undefined) refs.add(id);
  }
  const pending: [unknown, number][] = [[op.data, 0]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (typeof value === 'string') {
      const id = referencedBulkId(value);
      if (id !== undefined) refs.add(id);
    } else if (typeof value === 'object' && value !== null) {
      if (depth >= MAX_DEPTH) return undefined;
      for (const v of Array.isArray(value) ? value : Object.values(value)) pending.push([v, depth + 1]);
    }
  }
  return refs;
}

/** Replaces every `bulkId:X` string in a value by `resolve(X)`; a copy is made only along changed paths. */
export function substituteBulkIds(value: unknown, resolve: (bulkId: string) => string): unknown {
  if (typeof value === 'string') {
    const id = referencedBulkId(value);
    return id === undefined ? value : resolve(id);
  }
  if (Array.isArray(value)) return value.map((v) => substituteBulkIds(v, resolve));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteBulkIds(v, resolve)]));
  }
  return value;
}

export interface BulkPlan {
  /**
   * The operations in the order they run, as steps: one operation, or the POSTs of a reference
   * cycle (RFC 7644 §3.7.1), which run together (see splitCircular).
   */
  steps: { ops: number[]; circular: boolean }[];
  /** each operation's references; undefined for data nested too deeply */
  references: (Set<string> | undefined)[];
}

/**
 * Orders a bulk request's operations (RFC 7644 §3.7, §3.7.2): in request order, except that the
 * POST declaring a bulkId runs before any operation referencing it (a depth-first post-order,
 * so the client's intent is preserved). Reference cycles — strongly connected components of the
 * reference graph, or an operation referencing its own bulkId — are found with Tarjan's algorithm,
 * written iteratively so a long reference chain cannot exhaust the stack. Only POSTs declare
 * bulkIds, so a cycle is made of POSTs. A reference to a bulkId that no POST declares adds no
 * edge: it fails when its operation runs.
 */
export function planBulk(operations: BulkOperation[]): BulkPlan {
  const n = operations.length;
  const declaring = new Map<string, number>();
  operations.forEach((op, i) => {
    if (op.bulkId !== undefined && typeof op.method === 'string' && op.method.toUpperCase() === 'POST') declaring.set(op.bulkId, i);
  });
  const references = operations.map(operationReferences);
  const edges = references.map((refs) => [...(refs ?? [])].map((id) => declaring.get(id)).filter((i): i is number => i !== undefined));

  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const steps: BulkPlan['steps'] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [node: number, nextEdge: number][] = [[root, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const v = frame[0];
      if (index[v] === -1) {
        index[v] = low[v] = counter++;
        stack.push(v);
        onStack[v] = true;
      }
      if (frame[1] < edges[v].length) {
        const w = edges[v][frame[1]++];
        if (index[w] === -1) work.push([w, 0]);
        else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] !== index[v]) continue;
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = false;
        component.push(w);
      } while (w !== v);
      steps.push({ ops: component.sort((a, b) => a - b), circular: component.length > 1 || edges[v].includes(v) });
    }
  }
  return { steps, references };
}

/** Whether a value holds a reference to one of `pending` anywhere. */
function holds(value: unknown, pending: Set<string>): boolean {
  if (typeof value === 'string') {
    const id = referencedBulkId(value);
    return id !== undefined && pending.has(id);
  }
  if (typeof value === 'object' && value !== null) return (Array.isArray(value) ? value : Object.values(value)).some((v) => holds(v, pending));
  return false;
}

/** A value without the parts that reference `pending`: whole complex values, or elements of a list. */
function strip(value: unknown, pending: Set<string>): unknown {
  if (Array.isArray(value)) return value.filter((v) => !holds(v, pending));
  return holds(value, pending) ? undefined : value;
}

/**
 * RFC 7644 §3.7.1 circular references: splits a POST's data into what can be created now — every
 * attribute holding a reference to a not-yet-created member of its cycle left out (a list keeps
 * its other elements) — and the PATCH `replace` operations that complete it once the whole cycle
 * exists, one per such attribute, with its full value (references still unresolved). Extension
 * attributes are addressed by their URN-qualified path.
 */
export function splitCircular(data: Record<string, unknown>, pending: Set<string>): { initial: Record<string, unknown>; later: { op: 'replace'; path: string; value: unknown }[] } {
  const initial: Record<string, unknown> = {};
  const later: { op: 'replace'; path: string; value: unknown }[] = [];
  const split = (target: Record<string, unknown>, key: string, value: unknown, path: string) => {
    if (!holds(value, pending)) {
      target[key] = value;
      return;
    }
    const kept = strip(value, pending);
    if (kept !== undefined) target[key] = kept;
    later.push({ op: 'replace', path, value });
  };
  for (const [key, value] of Object.entries(data)) {
    const extension = key.includes(':') && typeof value === 'object' && value !== null && !Array.isArray(value);
    if (!extension) {
      split(initial, key, value, key);
      continue;
    }
    const ext: Record<string, unknown> = {};
    for (const [sub, v] of Object.entries(value as Record<string, unknown>)) split(ext, sub, v, `${key}:${sub}`);
    initial[key] = ext;
  }
  return { initial, later };
}
