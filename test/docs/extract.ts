import fs from 'node:fs';
import path from 'node:path';

/**
 * Fenced code blocks of the Markdown documentation, and the conventions the docs test reads from
 * them (described for writers in docs/testing.md, "The docs test"):
 * - ```sh runnable   a shell block the test runs with bash against a live server;
 * - ```graphql runnable   a GraphQL document the test posts to /graphql with the admin key;
 * - ```text expected / ```json expected   right after a runnable block: what its output must be,
 *   where `…` stands for any text;
 * - every ```graphql block, runnable or not, must validate against schema/admin.graphql.
 */
export interface Block {
  file: string; // relative to the repository root
  line: number; // 1-based line of the opening fence
  lang: string;
  flags: string[];
  code: string;
  /** the ```… expected block that follows a runnable block */
  expected?: string;
}

export const ROOT = path.join(__dirname, '../..');

/**
 * The documentation pages the docs test reads, in reading order: README.md, the index
 * docs/README.md, the pages in the order the index links them, then any other docs/*.md.
 */
export function docPages(root = ROOT): string[] {
  const dir = path.join(root, 'docs');
  if (!fs.existsSync(dir)) return ['README.md'];
  const all = fs.readdirSync(dir).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  const index = all.includes('docs/README.md') ? fs.readFileSync(path.join(dir, 'README.md'), 'utf8') : '';
  const linked = links(index)
    .map((l) => `docs/${l.target.split('#')[0]}`)
    .filter((p) => all.includes(p));
  return [...new Set(['README.md', ...(index ? ['docs/README.md'] : []), ...linked, ...all])];
}

export function parseBlocks(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang, rest] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = lines[j].trim();
      if (close.startsWith(fence[0].repeat(fence.length)) && /^(`+|~+)$/.test(close)) break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    }
    blocks.push({ file, line: i + 1, lang: lang.toLowerCase(), flags: rest.split(/\s+/).filter(Boolean), code: body.join('\n') });
    i = j;
  }
  // an `expected` block belongs to the runnable block just before it
  const out: Block[] = [];
  for (const b of blocks) {
    const prev = out[out.length - 1];
    if (b.flags.includes('expected')) {
      if (!prev || !prev.flags.includes('runnable') || prev.expected !== undefined) throw new Error(`${file}:${b.line}: an "expected" block must follow a runnable block`);
      prev.expected = b.code;
      continue;
    }
    out.push(b);
  }
  return out;
}

export const readBlocks = (file: string, root = ROOT): Block[] => parseBlocks(file, fs.readFileSync(path.join(root, file), 'utf8'));

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Whether `actual` is what `expected` describes: the whole output, whitespace runs compared as one
 * space, where `…` (or `...` standing alone between quotes) matches any text, including none.
 */
export function matchesExpected(actual: string, expected: string): boolean {
  const parts = collapse(expected).split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[\\s\\S]*?')}$`).test(collapse(actual));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a page's headings (outside code blocks), with GitHub's -1, -2 suffixes for repeats. */
export function headingAnchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (!fence) fence = f[1][0];
      else if (f[1][0] === fence && /^\s*(`+|~+)\s*$/.test(line)) fence = undefined;
      continue;
    }
    if (fence) continue;
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const base = anchor(h[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n ? `${base}-${n}` : base);
  }
  return anchors;
}

/** Markdown links [text](target) outside code blocks and inline code. */
export function links(text: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  let fence = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*(`{3,}|~{3,})/.test(line)) fence = !fence;
    if (fence) return;
    const plain = line.replace(/`[^`]*`/g, '');
    for (const m of plain.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push({ target: m[1], line: i + 1 });
  });
  return out;
}
