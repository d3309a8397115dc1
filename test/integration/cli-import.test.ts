import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../src/db/sql';
import type http from 'node:http';
import { startControlSocket } from '../../src/cli/control-socket';
import { migrate } from '../../src/db/orm';
import { importHuman } from '../../src/cli/import';
import type { RequestContext } from '../../src/domain/context';
import { PGLITE, provisio } from '../support/cli';
import { createTestDb, TestDb } from '../support/database';
import { ensureBuilt } from '../support/dist';

// `provisio import --file users.jsonl`: JSON lines of SCIM User/Group resources through the /Bulk
// machinery, failed lines reported with their numbers; exit 0 all imported, 1 any failed, 2 usage.

jest.setTimeout(180_000);

let db: TestDb;
let dir: string;
let env: Record<string, string | undefined>;
let socket: http.Server | undefined;
beforeAll(async () => {
  ensureBuilt();
  db = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-import-'));
  env = { DATABASE_URL: db.url };
  if (PGLITE) {
    // as in embedded mode with the server up: through the control socket (test/support/cli.ts)
    socket = await startControlSocket(db.services, { ...db.config, dataDir: dir }, () => migrate(db.orm));
    env = { DATABASE_URL: undefined, DATA_DIR: dir };
  }
});
afterAll(async () => {
  if (socket) await new Promise((r) => socket!.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
  await db.close();
});

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

function file(name: string, lines: (object | string)[]): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return f;
}

const query = <T>(text: string, params: unknown[] = []) => sql<T>(db.orm.em.fork() as EntityManager, text, params);

describe('provisio import', () => {
  it('usage errors exit 2 (no --file, a bad --batch-size, a missing file, no tenant to choose), one JSON error under --json', async () => {
    const ok = file('one.jsonl', [{ schemas: [USER], userName: 'nobody' }]);
    const cases: [string[], string][] = [
      [['import', '--json'], "required option '--file <path>' not specified"],
      [['import', '--file', ok, '--batch-size', '0', '--json'], '--batch-size must be an integer from 1 to 1000 (BULK_MAX_OPERATIONS)'],
      [['import', '--file', path.join(dir, 'missing.jsonl'), '--json'], `--file ${path.join(dir, 'missing.jsonl')}: no such file`],
      [['import', '--file', ok, '--json'], '--tenant is required, and there is no tenant yet (provisio tenant create)'],
    ];
    for (const [args, message] of cases) {
      const r = await provisio(args, env);
      expect({ args, code: r.code, stdout: JSON.parse(r.stdout), stderr: r.stderr }).toEqual({ args, code: 2, stdout: { error: { code: expect.any(String), message } }, stderr: '' });
    }
    const plain = await provisio(['import', '--file', ok, '--batch-size', 'x'], env);
    expect(plain.code).toBe(2);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toBe('provisio: --batch-size must be an integer from 1 to 1000 (BULK_MAX_OPERATIONS)\n');
  });

  it('imports users and groups in /Bulk batches into the only tenant: exit 0; a group names users of the file by bulkId:line-N, across batches; audited', async () => {
    await db.services.tenants.create({ name: 'Imp' });
    const f = file('ok.jsonl', [
      { schemas: [USER], userName: 'ada', name: { givenName: 'Ada' } },
      { schemas: [USER], userName: 'bob', active: false },
      { schemas: [USER], userName: 'cy' },
      // batch 2 of 2 lines: line-1 was created by batch 1 (its id is substituted), line-3 is in this batch (/Bulk resolves it)
      { schemas: [GROUP], displayName: 'Imported', members: [{ value: 'bulkId:line-1' }, { value: 'bulkId:line-3' }] },
    ]);
    const r = await provisio(['import', '--file', f, '--batch-size', '2', '--json'], env);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual({ tenant: 'imp', file: f, resources: 4, imported: 4, updated: 0, failed: 0, failures: [] });

    const members = await query<{ user_name: string }>(
      `select u.user_name from group_member m join scim_group g on g.id = m.group_id join scim_user u on u.id = m.member_id
        where g.display_name = 'Imported' order by u.user_name`,
    );
    expect(members.map((m) => m.user_name)).toEqual(['ada', 'cy']);
    const bob = await query<{ active: boolean }>(`select active from scim_user where user_name = 'bob'`);
    expect(bob).toEqual([{ active: false }]);
    // one audit entry per resource, as the same /Bulk operations over HTTP would get, under one request id
    const audit = await query<{ operation: string; path: string; status: number; request_id: string }>(
      `select operation, path, status, request_id from audit_entry where request_id like 'cli-import-%' order by time, operation`,
    );
    expect(audit.map((a) => [a.operation, a.path, a.status])).toEqual([
      ['User.create', '/scim/v2/imp/Users', 201],
      ['User.create', '/scim/v2/imp/Users', 201],
      ['User.create', '/scim/v2/imp/Users', 201],
      ['Group.create', '/scim/v2/imp/Groups', 201],
    ]);
    expect(new Set(audit.map((a) => a.request_id)).size).toBe(1);

    const human = await provisio(['import', '--file', file('human.jsonl', [{ schemas: [USER], userName: 'dee' }])], env);
    expect(human).toEqual({ code: 0, stdout: 'imported 1 of 1 resource(s) into tenant imp\n', stderr: '' });
  });

  it('a bad line is reported with its number and the others are imported: exit 1, the report under --json', async () => {
    const f = file('bad.jsonl', [
      { schemas: [USER], userName: 'eve' },
      '{"schemas": ["' + USER + '"], "userName": ', // line 2: not JSON
      '', // line 3: blank, skipped (but counted as a line)
      { schemas: [USER], userName: 'EVE' }, // line 4: userName taken (case-insensitive)
      { userName: 'no-schemas' }, // line 5: neither a User nor a Group
      { schemas: [GROUP], displayName: 'Eves', members: [{ value: 'bulkId:line-4' }] }, // line 6: references the failed line 4
      { schemas: [USER], userName: 'fay' },
    ]);
    const r = await provisio(['import', '--file', f, '--tenant', 'imp', '--json'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ tenant: 'imp', resources: 6, imported: 2, failed: 4 });
    expect(report.failures.map((x: { line: number; status: number; scimType?: string }) => [x.line, x.status, x.scimType])).toEqual([
      [2, 400, 'invalidSyntax'],
      [4, 409, 'uniqueness'],
      [5, 400, 'invalidValue'],
      [6, 409, undefined],
    ]);
    expect(report.failures[3].message).toBe('it references line 4 (bulkId:line-4), which was not imported in this or an earlier batch');
    expect((await query(`select 1 from scim_user where user_name in ('eve', 'fay')`)).length).toBe(2);

    const again = await provisio(['import', '--file', f, '--tenant', 'imp'], env);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('imported 0 of 6 resource(s) into tenant imp; 6 failed\n');
    const lines = again.stderr.trimEnd().split('\n');
    expect(lines.map((l) => l.slice(0, l.indexOf(': ', `provisio: ${f}:`.length) + 1))).toEqual(
      [1, 2, 4, 5, 6, 7].map((n) => `provisio: ${f}:${n}:`),
    );
    expect(lines[0]).toBe(`provisio: ${f}:1: 409 uniqueness: userName "eve" is already taken in this tenant`);
  });

  it('--update replaces the users (same userName) and groups (same displayName) the tenant has, by id, references to them included', async () => {
    const tenant = await db.services.tenants.get('imp');
    const ctx: RequestContext = { tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name }, actor: { kind: 'admin' }, requestId: 'crew' };
    const { user } = await db.services.users.create(ctx, { schemas: [USER], userName: 'hal', title: 'computer' });
    const group = await db.services.groups.create(ctx, { schemas: [GROUP], displayName: 'Crew', members: [{ value: user.id }] }, { members: false });
    const before = [{ id: user.id }, { id: group.id }];
    const sync = file('sync.jsonl', [
      { schemas: [USER], userName: 'HAL', title: 'pilot' }, // the same user: userNames compare case-insensitively
      { schemas: [USER], userName: 'ivy' },
      { schemas: [GROUP], displayName: 'crew', members: [{ value: 'bulkId:line-1' }, { value: 'bulkId:line-2' }] },
    ]);
    // without --update the existing ones are refused, as before; ivy is created
    const refused = JSON.parse((await provisio(['import', '--file', sync, '--tenant', 'imp', '--json'], env)).stdout);
    expect(refused).toMatchObject({ imported: 1, updated: 0, failed: 2 });
    expect(refused.failures.map((x: { line: number; status: number }) => [x.line, x.status])).toEqual([[1, 409], [3, 409]]);

    // batches of 2: line 3's reference to line 1 (replaced, batch 1) is its existing id
    const r = await provisio(['import', '--file', sync, '--tenant', 'imp', '--update', '--batch-size', '2', '--json'], env);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual({ tenant: 'imp', file: sync, resources: 3, imported: 3, updated: 3, failed: 0, failures: [] });
    const hal = await query<{ id: string; user_name: string; title: string }>(`select id, user_name, attributes->>'title' as title from scim_user where lower(user_name) = 'hal'`);
    expect(hal).toEqual([{ id: before[0].id, user_name: 'HAL', title: 'pilot' }]);
    const crew = await query<{ id: string; display_name: string; members: string[] }>(
      `select g.id, g.display_name, array_agg(u.user_name order by u.user_name) as members
         from scim_group g join group_member m on m.group_id = g.id join scim_user u on u.id = m.member_id
        where lower(g.display_name) = 'crew' group by g.id, g.display_name`,
    );
    expect(crew).toEqual([{ id: before[1].id, display_name: 'crew', members: ['HAL', 'ivy'] }]);
    const audit = await query<{ operation: string }>(
      `select operation from audit_entry where request_id = (select request_id from audit_entry where operation = 'Group.replace' order by time desc limit 1) order by time, operation`,
    );
    expect(audit.map((a) => a.operation).sort()).toEqual(['Group.replace', 'User.replace', 'User.replace']);

    expect(importHuman(JSON.parse(r.stdout))).toEqual({ out: 'imported 3 of 3 resource(s) into tenant imp (3 existing replaced)', err: [] });
  });

  it('an unknown tenant is a failure (exit 1), and with several tenants --tenant is required (exit 2)', async () => {
    const f = file('t.jsonl', [{ schemas: [USER], userName: 'gil' }]);
    const unknown = await provisio(['import', '--file', f, '--tenant', 'nope', '--json'], env);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)).toEqual({ error: { code: 'notFound', message: 'tenant "nope" not found' } });
    await db.services.tenants.create({ name: 'Other' });
    const ambiguous = await provisio(['import', '--file', f], env);
    expect(ambiguous).toEqual({ code: 2, stdout: '', stderr: 'provisio: --tenant is required: there are 2 tenants (provisio tenant list)\n' });
  });
});
