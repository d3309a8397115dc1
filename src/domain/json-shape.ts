import { InvalidValueError } from './errors';
import { inputLimits } from './limits';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** A per-process seed, so that no client can choose names whose hashes collide (see nameHash). */
const SEED = (Math.random() * 0x7fffffff) | 0;

/** 32-bit FNV-1a of bytes[from, to), seeded: identifies a member name without decoding it (a collision only merges two paths). */
function nameHash(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5 ^ SEED;
  for (let i = from; i < to; i++) {
    h ^= bytes[i];
    // h * 0x01000193 (FNV's prime) mod 2^32, in shifts: Math.imul is 100x slower under jest's vm contexts
    h = (h + (h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24)) | 0;
  }
  return h;
}

/**
 * The tree of name paths, as an open-addressing hash table of (parent node, name hash) -> node in
 * typed arrays, reused by every scan (the scan is synchronous): no allocation per member, and no
 * clearing between scans, since an entry counts only when it carries the current scan's number.
 */
class NamePaths {
  private parent = new Int32Array(0);
  private name = new Int32Array(0);
  private child = new Int32Array(0);
  private scan = new Int32Array(0);
  private mask = 0;
  private current = 0;
  size = 0;

  /** Starts a scan that may hold up to `max` nodes (the table stays at most half full). */
  reset(max: number): void {
    const capacity = 2 ** Math.max(4, Math.ceil(Math.log2(2 * max + 2)));
    if (capacity > this.parent.length) {
      this.parent = new Int32Array(capacity);
      this.name = new Int32Array(capacity);
      this.child = new Int32Array(capacity);
      this.scan = new Int32Array(capacity);
      this.mask = capacity - 1;
      this.current = 0;
    }
    if (++this.current === 0x7fffffff) {
      this.scan.fill(0);
      this.current = 1;
    }
    this.size = 0;
  }

  /** The node under `parent` for the name of hash `hash`, added (as size + 1) when new. */
  step(parent: number, hash: number): number {
    let i = (((parent * 0x9e3779b1) | 0) ^ hash) & this.mask; // exact: parent < 2^21
    for (;;) {
      if (this.scan[i] !== this.current) {
        this.scan[i] = this.current;
        this.parent[i] = parent;
        this.name[i] = hash;
        return (this.child[i] = ++this.size);
      }
      if (this.parent[i] === parent && this.name[i] === hash) return this.child[i];
      i = (i + 1) & this.mask;
    }
  }
}

const namePaths = new NamePaths();

/**
 * Refuses JSON text whose shape would make JSON.parse itself the slow part of a request, before
 * JSON.parse runs. JSON.parse costs more than its size for four shapes (measured on the 2-core
 * development machine under load, bodies under 2 MiB):
 *
 * - one object of many members (V8 builds it as a hash table, key by key: 150,000 keys, 0.15–0.6 s):
 *   `maxObjectMembers`;
 * - many objects and arrays (700,000 `{}`: 0.2–0.6 s, allocation and garbage collection): `maxContainers`;
 * - many distinct member names, or objects whose names come in orders not seen before (V8 interns
 *   each new name and builds a hidden class per new sequence of names: 150,000 one-member objects of
 *   distinct names 0.5 s, 85,000 two-member objects over 300 names in new orders 0.3 s):
 *   `maxNamePaths`, the number of distinct sequences of member names, counted as the nodes of the
 *   tree of their prefixes (a group of 50,000 `{"value": …}` members is 1 node, a user a few dozen);
 * - deep nesting: `maxDepth`.
 *
 * One pass over the bytes, no regular expression: JSON's structural characters are ASCII and never
 * occur inside a multi-byte UTF-8 sequence (RFC 3629 §3), so the bytes can be scanned before they
 * are decoded. A member is counted at its `:` (the only place a colon occurs outside a string,
 * RFC 8259 §4), its name being the string just before it; strings are skipped byte by byte, and
 * member names hashed once more. 2 MiB take a few ms. Malformed text is left to JSON.parse (its own
 * 400); the scan only counts.
 *
 * A /Bulk body (`options.bulk`) carries up to a thousand resources, each of which its client may serialise
 * with its keys in another order: its name paths are capped by `maxBulkNamePaths` (never below
 * `maxNamePaths`), whose parse time stays small beside those operations' writes.
 */
export function assertJsonShape(bytes: Uint8Array, options: { bulk?: boolean } = {}): void {
  const what = 'the request body';
  const { maxObjectMembers, maxContainers, maxDepth } = inputLimits;
  const maxNamePaths = options.bulk ? Math.max(inputLimits.maxNamePaths, inputLimits.maxBulkNamePaths) : inputLimits.maxNamePaths;
  const namePathsSetting = options.bulk ? 'BULK_MAX_JSON_NAME_PATHS' : 'MAX_JSON_NAME_PATHS';
  // per open container: members so far (-1 marks an array), and the name-path node it is at
  const members = new Int32Array(maxDepth + 1);
  const node = new Int32Array(maxDepth + 1);
  // name-path tree: (parent node, name hash) -> node; node 0 is the empty object
  namePaths.reset(maxNamePaths);
  let depth = 0;
  let containers = 0;
  let stringStart = -1;
  let stringEnd = -1;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      // skip the string: a backslash escapes the byte after it (RFC 8259 §7)
      stringStart = i + 1;
      for (i++; i < n; i++) {
        const d = bytes[i];
        if (d === QUOTE) break;
        if (d === BACKSLASH) i++;
      }
      stringEnd = i;
    } else if (c === COLON) {
      const top = depth - 1;
      if (top < 0 || members[top] < 0) continue; // not JSON: JSON.parse refuses it
      if (++members[top] > maxObjectMembers) {
        throw new InvalidValueError(`an object in ${what} has more than ${maxObjectMembers} members (MAX_JSON_OBJECT_MEMBERS; see docs/limits.md)`);
      }
      const next = namePaths.step(node[top], nameHash(bytes, stringStart, stringEnd));
      if (next > maxNamePaths) {
        throw new InvalidValueError(`${what} has more than ${maxNamePaths} distinct member names or orders of member names (${namePathsSetting}; see docs/limits.md)`);
      }
      node[top] = next;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++containers > maxContainers) {
        throw new InvalidValueError(`${what} holds more than ${maxContainers} objects and arrays (MAX_JSON_CONTAINERS; see docs/limits.md)`);
      }
      if (depth >= maxDepth) throw new InvalidValueError(`${what} nests objects and arrays more than ${maxDepth} deep (MAX_JSON_DEPTH; see docs/limits.md)`);
      members[depth] = c === OPEN_OBJECT ? 0 : -1;
      node[depth++] = 0;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth > 0) depth--;
    }
  }
}
