import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { auditDeactivatedUsers } from '../../src/cli/audit-reports/deactivated-users';
import { auditEmptyGroups } from '../../src/cli/audit-reports/empty-groups';
import { auditTokens } from '../../src/cli/audit-reports/tokens';
import { AuditIo, runAudit } from '../../src/cli/audit-reports/client';
import { ensureBuilt } from '../support/dist';
import { scim } from '../support/app';
import { createGqlTestApp, GqlTestApp } from './graphql-helpers';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '../..');

let app: GqlTestApp;
let url: string;
let key: string;
const ids: Record<string, string> = {};

const sqlExec = (text: string) => app.orm.em.fork().getConnection().execute(text);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

// beforeAll may compile dist/ (ensureBuilt: the reports run as bin/provisio.js) on a busy machine
jest.setTimeout(180_000);

beforeAll(async () => {
  ensureBuilt();
  app = await createGqlTestApp();
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  key = await app.key('auditor');

  const a = await app.tenant('Audit A');
  const b = await app.tenant('Audit B');
  ids.aToken = a.tokenId; // used just now (below): fine
  await scim(app, a.token).get(`${a.base}/Users`);
  const neverUsed = await app.services.connections.issueToken(b.id, b.connectionId);
  ids.bToken = neverUsed.id; // never used, created 120 days ago: reported
  await sqlExec(`update scim_token set created_at = '${daysAgo(120)}' where id = '${neverUsed.id}'`);
  const idle = await app.services.connections.issueToken(a.id, a.connectionId);
  await sqlExec(`update scim_token set created_at = '${daysAgo(200)}', last_used_at = '${daysAgo(95)}' where id = '${idle.id}'`);
  ids.idle = idle.id;
  const expiring = await app.services.connections.createConnection(a.id, { idp: 'okta', days: 10 });
  ids.expiring = expiring.token.id;
  const revoked = await app.services.connections.issueToken(a.id, a.connectionId);
  await sqlExec(`update scim_token set created_at = '${daysAgo(300)}' where id = '${revoked.id}'`);
  await app.services.connections.revokeToken(a.id, revoked.id);

  const client = scim(app, a.token);
  const user = (userName: string, active: boolean) => client.post(`${a.base}/Users`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active });
  ids.recent = (await user('recently-off@example.com', false)).body.id;
  ids.old = (await user('long-off@example.com', false)).body.id;
  ids.on = (await user('still-on@example.com', true)).body.id;
  await sqlExec(`update scim_user set updated_at = '${daysAgo(60)}' where id = '${ids.old}'`);
  const bUser = (await scim(app, b.token).post(`${b.base}/Users`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'b-off@example.com' })).body.id;
  await scim(app, b.token).patch(`${b.base}/Users/${bUser}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] });
  ids.bUser = bUser;

  const group = (t: typeof a, displayName: string, members: string[]) =>
    scim(app, t.token).post(`${t.base}/Groups`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, members: members.map((value) => ({ value })) });
  ids.emptyA = (await group(a, 'Nobody Here', [])).body.id;
  ids.fullA = (await group(a, 'Somebody', [ids.on])).body.id;
  ids.emptyB = (await group(b, 'Empty B', [])).body.id;
  ids.slugA = a.slug;
  ids.slugB = b.slug;
});
afterAll(async () => {
  await new Promise((resolve) => app.server.close(resolve));
  await app.close();
});

/** Runs `provisio audit <report> …` (the compiled CLI, bin/provisio.js) as a separate process. */
async function script(report: string, args: string[], env: Record<string, string> = { PROVISIO_URL: url, PROVISIO_ADMIN_KEY: key }) {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'bin/provisio.js'), 'audit', report, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Runs a script in this process with a fake terminal. */
async function inProcess(body: (io: AuditIo) => Promise<void>, argv: string[], tty = true) {
  let out = '';
  let err = '';
  const io: AuditIo = { argv, env: { PROVISIO_URL: url, PROVISIO_ADMIN_KEY: key }, stdout: { write: (s: string) => (out += s), isTTY: tty }, stderr: { write: (s: string) => (err += s) } };
  const code = await runAudit(io, body);
  return { code, out, err };
}

describe('audit scripts over the GraphQL API', () => {
  it('audit tokens lists live tokens unused for 90 days or expiring within 30, as JSON', async () => {
    const res = await script('tokens', ['--json']);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report.criteria).toEqual({ unusedDays: 90, expiringDays: 30 });
    const byId = Object.fromEntries(report.items.map((r: any) => [r.tokenId, r]));
    expect(Object.keys(byId).sort()).toEqual([ids.bToken, ids.expiring, ids.idle].sort());
    expect(byId[ids.idle]).toMatchObject({ tenant: ids.slugA, reason: 'unused for 95 days' });
    expect(byId[ids.bToken]).toMatchObject({ tenant: ids.slugB, reason: 'never used (created 120 days ago)' });
    expect(byId[ids.expiring].reason).toBe('expires in 10 days');
    expect(byId[ids.expiring].connection).toBe('okta (okta)');
    expect(report.count).toBe(3);
    // thresholds are options
    const strict = JSON.parse((await script('tokens', ['--json', '--unused-days', '100', '--expiring-days', '5', '--tenant', ids.slugA])).stdout);
    expect(strict.items).toEqual([]);
  });

  it('audit deactivated-users lists users deactivated in the last N days, per tenant', async () => {
    const res = await script('deactivated-users', ['--json', '--days', '30']);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report.criteria.filter).toMatch(/^active eq false and meta\.lastModified gt "/);
    expect(report.items.map((r: any) => [r.tenant, r.userName]).sort()).toEqual([
      [ids.slugA, 'recently-off@example.com'],
      [ids.slugB, 'b-off@example.com'],
    ]);
    const wider = JSON.parse((await script('deactivated-users', ['--json', '--days', '90', '--tenant', ids.slugA])).stdout);
    expect(wider.items.map((r: any) => r.id).sort()).toEqual([ids.recent, ids.old].sort());
  });

  it('audit empty-groups lists groups without members; --json prints exactly one JSON document', async () => {
    const { stdout, code } = await script('empty-groups', ['--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout); // the whole of stdout: nothing before or after the document
    expect(report.items.map((r: any) => r.id).sort()).toEqual([ids.emptyA, ids.emptyB].sort());
    expect(report.items.find((r: any) => r.id === ids.emptyA)).toMatchObject({ tenant: ids.slugA, displayName: 'Nobody Here' });
  });

  it('print a table on a terminal', async () => {
    const res = await inProcess(auditEmptyGroups, ['--tenant', ids.slugA]);
    expect(res.code).toBe(0);
    expect(res.out).toContain('Groups with no members: 1');
    expect(res.out).toMatch(/┌.*┐/);
    expect(res.out).toContain('Nobody Here');
    expect(res.out).not.toContain('Somebody');
    const users = await inProcess(auditDeactivatedUsers, ['--days', '7'], false);
    expect(users.out).toContain('recently-off@example.com');
    expect(users.out).not.toContain('long-off@example.com');
    expect(users.out).not.toMatch(/\u001b\[/); // no colours off a terminal
    const tokens = await inProcess(auditTokens, []);
    expect(tokens.out).toContain('Tokens needing attention: 3');
  });

  it('fail clearly: no key (2), a wrong key (1, UNAUTHENTICATED), a bad option (2), an unreachable server (1)', async () => {
    const noKey = await script('empty-groups', [], { PROVISIO_URL: url, PROVISIO_ADMIN_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('no admin key');
    // under --json the error is a JSON document on stdout
    const noKeyJson = await script('empty-groups', ['--json'], { PROVISIO_URL: url, PROVISIO_ADMIN_KEY: '' });
    expect(noKeyJson.code).toBe(2);
    expect(JSON.parse(noKeyJson.stdout)).toEqual({ error: { code: 'usage', message: expect.stringContaining('no admin key') } });
    const wrongJson = await script('tokens', ['--json', '--key', 'pra_wrong']);
    expect(wrongJson.code).toBe(1);
    expect(JSON.parse(wrongJson.stdout).error.code).toBe('UNAUTHENTICATED');
    const badOption = await script('tokens', ['--json', '--bogus']);
    expect(badOption.code).toBe(2);
    expect(JSON.parse(badOption.stdout).error).toMatchObject({ code: 'usage', message: expect.stringContaining('--bogus') });
    const help = await script('tokens', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--unused-days');
    const wrong = await inProcess(auditTokens, ['--key', 'pra_wrong']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('UNAUTHENTICATED');
    expect((await inProcess(auditDeactivatedUsers, ['--days', 'soon'])).code).toBe(2);
    expect((await inProcess(auditDeactivatedUsers, ['--bogus'])).code).toBe(2);
    const gone = await inProcess(auditEmptyGroups, ['--url', 'http://127.0.0.1:1']);
    expect(gone.code).toBe(1);
    expect(gone.err).toContain('cannot reach');
  });
});
