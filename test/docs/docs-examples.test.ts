import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { DocsServer } from './docs-server';
import { anchor, docPages, headingAnchors, links, matchesExpected, parseBlocks, readBlocks, ROOT } from './extract';

// Every runnable example of README.md and docs/*.md runs here against the built server, in page
// order, sharing one server and one database as a reader following the pages would.
// Conventions: docs/testing.md, "The docs test".

const pages = docPages();
const blocks = pages.flatMap((p) => readBlocks(p));
const runnableShell = blocks.filter((b) => ['sh', 'bash', 'shell'].includes(b.lang) && b.flags.includes('runnable'));
const runnableGraphql = blocks.filter((b) => b.lang === 'graphql' && b.flags.includes('runnable'));
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');

describe('the docs test conventions', () => {
  it('finds runnable blocks and their expected output, and matches `…` as any text', () => {
    const parsed = parseBlocks('x.md', ['```sh runnable', 'echo hi', '```', '', '```text expected', 'h…', '```', '```sh', 'npm ci', '```'].join('\n'));
    expect(parsed).toEqual([
      { file: 'x.md', line: 1, lang: 'sh', flags: ['runnable'], code: 'echo hi', expected: 'h…' },
      { file: 'x.md', line: 8, lang: 'sh', flags: [], code: 'npm ci' },
    ]);
    expect(() => parseBlocks('y.md', '```sh\nnpm ci\n```\n```text expected\nx\n```')).toThrow('must follow a runnable block');
    expect(matchesExpected('{"id":"42","slug":"acme"}\n', '{"id":"…","slug":"acme"}')).toBe(true);
    expect(matchesExpected('{"id":"42","slug":"acme-2"}', '{"id":"…","slug":"acme"}')).toBe(false);
    expect(matchesExpected('201\n204\n', '201 204')).toBe(true);
    expect(anchor('Tenants and tokens: the `provisio` CLI')).toBe('tenants-and-tokens-the-provisio-cli');
  });

  it('the pages hold runnable examples (a page losing its markers would pass silently otherwise)', () => {
    expect(runnableShell.length).toBeGreaterThanOrEqual(30);
    for (const page of ['README.md', 'docs/scim.md', 'docs/custom-attributes.md', 'docs/graphql.md', 'docs/events.md', 'docs/audit.md', 'docs/cli-reference.md']) {
      expect({ page, runnable: runnableShell.some((b) => b.file === page) }).toEqual({ page, runnable: true });
    }
  });
});

describe('the documentation pages', () => {
  it('the README is a front door: under 12 KB', () => {
    expect(Buffer.byteLength(read('README.md'))).toBeLessThan(12 * 1024);
  });

  it('every docs page starts with a table of contents', () => {
    for (const page of pages.filter((p) => p.startsWith('docs/'))) {
      const text = read(page);
      const sections = (text.match(/^## /gm) ?? []).length;
      if (sections < 2) continue;
      const head = text.split('\n').slice(0, 60).join('\n');
      expect({ page, hasContents: /^\s*([-*+]|\d+\.) \[[^\]]+\]\(#[^)]+\)/m.test(head) }).toEqual({ page, hasContents: true });
    }
  });

  it('every relative link names a file that exists, and every #anchor a heading of that page', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const { target, line } of links(read(page))) {
        if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
        const [file, hash] = target.split('#');
        const resolved = file ? path.join(path.dirname(page), decodeURIComponent(file)) : page;
        if (!fs.existsSync(path.join(ROOT, resolved))) {
          broken.push(`${page}:${line} ${target} (no such file)`);
          continue;
        }
        if (hash && resolved.endsWith('.md') && !headingAnchors(read(resolved)).has(hash)) broken.push(`${page}:${line} ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('neither code nor docs point at the shared folder outside the repository', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const d of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = path.join(dir, d.name);
        if (d.isDirectory()) walk(rel);
        else if (/\.(ts|js|md|json|graphql|sh)$/.test(d.name) && /\.\.\/shared|\/work\/shared/.test(fs.readFileSync(path.join(ROOT, rel), 'utf8'))) offenders.push(rel);
      }
    };
    for (const dir of ['src', 'test', 'scripts', 'bin', 'bench', 'docs', 'schema', '.ci']) if (fs.existsSync(path.join(ROOT, dir))) walk(dir);
    if (/\.\.\/shared|\/work\/shared/.test(read('README.md'))) offenders.push('README.md');
    expect(offenders.filter((f) => f !== path.join('test', 'docs', 'docs-examples.test.ts'))).toEqual([]);
  });

  it('every GraphQL example validates against schema/admin.graphql', () => {
    const schema = buildSchema(read('schema/admin.graphql'));
    const graphqlBlocks = blocks.filter((b) => b.lang === 'graphql');
    expect(graphqlBlocks.length).toBeGreaterThanOrEqual(8);
    const invalid = graphqlBlocks.flatMap((b) => {
      try {
        return validate(schema, parse(b.code)).map((e) => `${b.file}:${b.line}: ${e.message}`);
      } catch (e) {
        return [`${b.file}:${b.line}: ${(e as Error).message}`];
      }
    });
    expect(invalid).toEqual([]);
  });
});

describe('every runnable example, against the built server', () => {
  const server = new DocsServer();
  beforeAll(async () => server.start(), 180_000);
  afterAll(async () => server.stop(), 60_000);

  // one loop, so that shell and GraphQL blocks run in page order
  for (const b of blocks.filter((x) => runnableShell.includes(x) || runnableGraphql.includes(x))) {
    if (b.lang === 'graphql') {
      it(`${b.file}:${b.line} GraphQL answers without errors${b.expected !== undefined ? ' and what the page says' : ''}`, async () => {
        const res = await fetch(`${server.env.PROVISIO_URL}/graphql`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.env.ADMIN_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ query: b.code }),
        });
        const text = await res.text();
        const body = JSON.parse(text) as { errors?: unknown };
        expect({ block: `${b.file}:${b.line}`, status: res.status, errors: body.errors }).toEqual({ block: `${b.file}:${b.line}`, status: 200, errors: undefined });
        if (b.expected !== undefined && !matchesExpected(text, b.expected)) expect(text).toBe(b.expected);
      }, 60_000);
      continue;
    }
    it(`${b.file}:${b.line} exits 0${b.expected !== undefined ? ' and prints what the page says' : ''}`, async () => {
      const r = await server.bash(b.code);
      const shown = { block: `${b.file}:${b.line}`, code: r.code, stdout: r.stdout, stderr: r.stderr, server: r.code === 0 ? '' : server.output().slice(-3000) };
      expect(shown).toMatchObject({ code: 0 });
      if (b.expected !== undefined && !matchesExpected(r.stdout, b.expected)) {
        expect(shown.stdout).toBe(b.expected); // fails, showing both
      }
    }, 120_000);
  }
});
