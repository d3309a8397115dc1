import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestApp, TestApp } from '../support/app';

/**
 * Replays the IdP conversations recorded in test/fixtures/idp/*.json (built from the sequences
 * Entra ID, Okta and JumpCloud document and send; see docs/idp-guides.md and docs/idp-profiles.md) through app.callback().
 * Each file is one conversation on a fresh tenant whose connection has the file's `idp` kind.
 *
 * A step: `request` {method, path (relative to the tenant base, query unencoded), headers?, body?};
 * `response` {status, body? (matched as a subset), absent? (top-level keys that must not be
 * there), headers?}; `capture` {name: "dotted.path" into the response body}. `{{name}}` in a path
 * or body is replaced by a captured value.
 */
interface Step {
  note?: string;
  request: { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; path: string; headers?: Record<string, string>; body?: unknown };
  response: { status: number; body?: unknown; absent?: string[]; emptyBody?: boolean };
  capture?: Record<string, string>;
}
interface Conversation {
  name: string;
  source: string;
  idp: string;
  headers?: Record<string, string>;
  steps: Step[];
}

const DIR = path.join(__dirname, '..', 'fixtures', 'idp');
const conversations: [string, Conversation][] = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => [f, JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as Conversation]);

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => app.close());

function substitute<T>(value: T, vars: Record<string, string>): T {
  const text = JSON.stringify(value);
  if (text === undefined) return value;
  return JSON.parse(
    text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      if (!(name in vars)) throw new Error(`fixture uses {{${name}}} before capturing it`);
      return vars[name];
    }),
  ) as T;
}

/** Encodes each query parameter's value the way an HTTP client would; flags without "=" stay as they are. */
function encodePath(raw: string): string {
  const cut = raw.indexOf('?');
  if (cut < 0) return raw;
  const query = raw
    .slice(cut + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? pair : `${pair.slice(0, eq)}=${encodeURIComponent(pair.slice(eq + 1))}`;
    })
    .join('&');
  return `${raw.slice(0, cut)}?${query}`;
}

function read(body: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), body);
}

describe.each(conversations)('%s', (_file, conversation) => {
  it(`${conversation.name}`, async () => {
    const tenant = await app.tenant(`${conversation.idp} ${_file}`, conversation.idp);
    const vars: Record<string, string> = {};
    for (const [i, raw] of conversation.steps.entries()) {
      const step = substitute(raw, vars);
      const label = `step ${i + 1} (${step.request.method} ${step.request.path}${step.note ? `: ${step.note}` : ''})`;
      let req = request(app.server)[step.request.method.toLowerCase() as 'get'](`${tenant.base}${encodePath(step.request.path)}`);
      req = req.set('Authorization', `Bearer ${tenant.token}`);
      for (const [k, v] of Object.entries({ ...conversation.headers, ...step.request.headers })) req = req.set(k, v);
      if (step.request.body !== undefined) req = req.set('Content-Type', 'application/scim+json').send(step.request.body as object);
      const res = await req;
      const got = { label, status: res.status, body: res.body };
      expect(got).toMatchObject({ label, status: step.response.status });
      if (step.response.body !== undefined) expect(got).toMatchObject({ label, body: step.response.body });
      for (const key of step.response.absent ?? []) expect({ label, has: key in (res.body ?? {}) }).toEqual({ label, has: false });
      if (step.response.emptyBody) expect({ label, text: res.text ?? '' }).toEqual({ label, text: '' });
      if (res.status >= 400) expect({ label, schemas: res.body.schemas, status: res.body.status }).toEqual({ label, schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(res.status) });
      for (const [name, dotted] of Object.entries(step.capture ?? {})) {
        const value = read(res.body, dotted);
        expect({ label, capture: name, type: typeof value }).toEqual({ label, capture: name, type: 'string' });
        vars[name] = value as string;
      }
    }
  });
});
