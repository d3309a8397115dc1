import type { Page, Request } from 'playwright-core';
import { ConsoleServer, startConsoleServer } from '../support/browser';

jest.setTimeout(120_000);

const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  displayName: `${userName[0].toUpperCase()}${userName.slice(1).split('@')[0]} Test`,
  active: true,
  name: { givenName: userName.split('@')[0], familyName: 'Test' },
  emails: [{ value: userName, primary: true, type: 'work' }],
  ...extra,
});

/** Button labels that change something: an auditor must see none of them. */
const MUTATING = /create|rotate|revoke|release|discard|restore|purge|remove|define|connect|disable|enable|delete/i;

/**
 * The admin console in a real Chromium against a real server: the journey from sign-in
 * to a released deprovisioning hold, the auditor's read-only view, and accessibility (axe-core)
 * and origin checks on every page. Screenshots of each page are taken on the way
 * (`npm run screenshots` keeps them in docs/img).
 */
describe('admin console (browser)', () => {
  let s: ConsoleServer;
  let page: Page;
  let adminKey: string;
  let auditorKey: string;
  const a11y: Record<string, unknown[]> = {};

  /**
   * The page has loaded what it shows. The Events page is never network-idle (its live feed keeps
   * one long poll waiting on the server), so there: the holds loaded and the feed's long poll waiting.
   */
  async function settled(p: Page = page): Promise<void> {
    if (new URL(p.url()).pathname.endsWith('/events')) await p.locator('section[data-feed="waiting"][data-holds="loaded"]').waitFor();
    else await p.waitForLoadState('networkidle');
  }

  /** axe on the page as it is, and a screenshot of it. */
  async function check(name: string, p: Page = page): Promise<void> {
    await settled(p);
    a11y[name] = await s.axe(p);
    await s.screenshot(name, p);
  }

  /** Waits until the page's table has exactly n rows (no string evaluation: the CSP forbids it). */
  async function rows(n: number): Promise<void> {
    await page.locator('tbody tr').nth(n - 1).waitFor({ state: 'attached' });
    await page.locator('tbody tr').nth(n).waitFor({ state: 'detached' });
  }

  async function signIn(key: string): Promise<void> {
    await page.goto(`${s.origin}/admin`);
    await page.getByLabel('Admin key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  beforeAll(async () => {
    s = await startConsoleServer({ guardMinUsers: 3 });
    page = s.page;
    adminKey = (await s.services.adminKeys.create({ role: 'admin' })).key;
    auditorKey = (await s.services.adminKeys.create({ role: 'auditor' })).key;
  });
  afterAll(async () => {
    await s?.close();
  });

  let slug = '';
  let entraToken = '';
  let newToken = '';

  it('serves the console with a strict CSP and caching headers; sign-in keeps the key out of the URL', async () => {
    const res = await fetch(`${s.origin}/admin/t/anything/users`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const asset = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(await res.text())![1];
    expect((await fetch(s.origin + asset)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    await page.goto(`${s.origin}/admin`);
    await page.getByRole('heading', { name: 'Provisio console' }).waitFor();
    await check('signin');
    await page.getByLabel('Admin key').fill('pra_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/invalid admin key/);
    await signIn(adminKey);
    await page.getByRole('heading', { name: 'Tenants' }).waitFor();
    expect(page.url()).not.toContain(adminKey);
    expect(await page.evaluate('sessionStorage.getItem("provisio.adminKey")')).toBe(adminKey);
  });

  it('creates a tenant and runs the Entra wizard; the first SCIM request turns it green and the user appears', async () => {
    await page.getByLabel('Tenant name').fill('Acme Corp');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByRole('heading', { name: 'Acme Corp' }).waitFor();
    slug = new URL(page.url()).pathname.split('/')[3];
    expect(slug).toBe('acme-corp');
    await check('tenant-overview-empty');

    await page.getByRole('link', { name: 'Connect Microsoft Entra ID' }).click();
    await page.getByRole('heading', { name: 'Connect Microsoft Entra ID' }).waitFor();
    await page.getByLabel('Token expires after').selectOption({ label: '10 years' });
    await page.getByRole('button', { name: 'Create connection and token' }).click();
    const url = await page.getByTestId('secret-tenant-url').textContent();
    entraToken = (await page.getByTestId('secret-secret-token').textContent())!;
    expect(url).toBe(`${s.origin}/scim/v2/${slug}?aadOptscim062020`);
    expect(entraToken).toMatch(/^prv_/);
    await expect(page.getByTestId('first-request').textContent()).resolves.toMatch(/Waiting for the first request/);
    // the expiry picker's choice reached the token: 10 years
    const expires = (await s.services.connections.listTokens((await s.services.tenants.get(slug)).id))[0].expiresAt;
    expect(expires.getTime() - Date.now()).toBeGreaterThan(3649 * 86_400_000);
    await page.getByRole('button', { name: 'Copy secret token' }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(entraToken);
    await check('wizard-waiting');

    const created = await s.scim(entraToken, 'POST', `/scim/v2/${slug}/Users?aadOptscim062020`, user('alice@acme.test'));
    expect(created.status).toBe(201);
    await page.getByText('First request received').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('first-request').getAttribute('class')).toContain('done');
    await check('wizard-done');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('link', { name: 'alice@acme.test' }).waitFor();
  });

  it('filters users with a SCIM filter, shows a bad filter inline, pages by keyset', async () => {
    for (const name of ['bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj']) {
      expect((await s.scim(entraToken, 'POST', `/scim/v2/${slug}/Users`, user(`${name}@acme.test`))).status).toBe(201);
    }
    await page.reload();
    await page.getByTestId('user-count').getByText('12 user(s)').waitFor();
    await check('users');
    await page.getByLabel('SCIM filter').fill('userName sw "b"');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.getByTestId('user-count').getByText('1 user(s)').waitFor();
    expect(await page.locator('tbody tr').first().textContent()).toContain('bob@acme.test');
    await page.getByLabel('SCIM filter').fill('userName zz "b"');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await expect(page.locator('#filter-error [role=alert]').textContent()).resolves.toMatch(/zz|operator|filter/i);
    await page.getByLabel('SCIM filter').fill('');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.getByTestId('user-count').getByText('12 user(s)').waitFor();
    // keyset paging: 10 a page, the second page holds the last two (userName order of the default sort is creation order)
    await page.getByLabel('Per page').selectOption('10');
    await rows(10);
    await page.getByTestId('page-number').getByText('Page 1').waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByTestId('page-number').getByText('Page 2').waitFor();
    await rows(2);
    await expect(page.locator('tbody tr').allTextContents()).resolves.toEqual([expect.stringContaining('mallory@'), expect.stringContaining('niaj@')]);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByTestId('page-number').getByText('Page 1').waitFor();
    await page.getByLabel('Per page').selectOption('25');

    await page.getByRole('link', { name: 'alice@acme.test' }).click();
    await page.getByRole('heading', { name: 'History' }).waitFor();
    // the user's own events (User.events), next to its audit history
    await expect(page.getByTestId('user-events').locator('tbody tr').allTextContents()).resolves.toEqual([expect.stringContaining('user.created')]);
    await check('user-detail');
  });

  it('rotates a token with overlap: both work, then (old one revoked) only the new one', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'entra', exact: true }).click();
    await page.getByRole('heading', { name: 'Tokens' }).waitFor();
    const oldPrefix = entraToken.slice(0, 12);
    await page.getByLabel('Old token keeps working for').selectOption({ label: '1 hour' });
    await page.getByRole('button', { name: 'Rotate token' }).click();
    newToken = (await page.getByTestId('secret-new-token').textContent())!;
    expect(newToken).toMatch(/^prv_/);
    expect(newToken).not.toBe(entraToken);
    expect((await s.scim(entraToken, 'GET', `/scim/v2/${slug}/Users?count=1`)).status).toBe(200);
    expect((await s.scim(newToken, 'GET', `/scim/v2/${slug}/Users?count=1`)).status).toBe(200);
    // ScimConnection.health: the test's users carry no externalId, which Entra's mapping expects
    await expect(page.getByTestId('connection-health').textContent()).resolves.toMatch(/user\(s\) sent without externalId/);
    await check('connection-detail');

    await page.getByRole('button', { name: `Revoke ${oldPrefix}` }).click();
    await page.locator(`tr[data-token="${oldPrefix}"]`).getByText('revoked').waitFor();
    expect((await s.scim(entraToken, 'GET', `/scim/v2/${slug}/Users?count=1`)).status).toBe(401);
    expect((await s.scim(newToken, 'GET', `/scim/v2/${slug}/Users?count=1`)).status).toBe(200);

    // disable and enable the connection; the delete policy select is on the same page
    await page.getByRole('button', { name: 'Disable connection' }).click();
    await page.getByRole('button', { name: 'Enable connection' }).waitFor();
    expect((await s.scim(newToken, 'GET', `/scim/v2/${slug}/Users?count=1`)).status).toBe(401);
    await page.getByRole('button', { name: 'Enable connection' }).click();
    await page.getByRole('button', { name: 'Disable connection' }).waitFor();
    expect((await s.scim(newToken, 'GET', `/scim/v2/${slug}/Users?count=1`)).status).toBe(200);
    // Entra's profile deactivates on DELETE by default; this tenant wants deletions (the guard test below counts user.deleted)
    expect(await page.getByLabel('Delete policy').inputValue()).toBe('DEACTIVATE');
    await page.getByLabel('Delete policy').selectOption('DELETE');
    const tenantId = (await s.services.tenants.get(slug)).id;
    for (let i = 0; i < 50 && (await s.services.connections.listConnections(tenantId))[0].deletePolicy !== 'delete'; i++) await page.waitForTimeout(100);
    expect((await s.services.connections.listConnections(tenantId))[0].deletePolicy).toBe('delete');
  });

  it('the mass-deprovisioning guard holds deletions; the hold is released from the Events page', async () => {
    const list = await s.scim(newToken, 'GET', `/scim/v2/${slug}/Users?count=100`);
    const victims = list.body.Resources.filter((u: { userName: string }) => /^(dave|erin|frank|grace)@/.test(u.userName));
    for (const v of victims) expect((await s.scim(newToken, 'DELETE', `/scim/v2/${slug}/Users/${v.id}`)).status).toBe(204);
    const tenantId = (await s.services.tenants.get(slug)).id;
    const [hold] = await s.services.events.holds(tenantId, 'open');
    expect(hold).toBeDefined();
    expect(hold.events).toBeGreaterThan(0);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    await page.getByText('deprovisioning hold(s) wait for review').waitFor();
    await expect(page.getByTestId('health-warnings').textContent()).resolves.toMatch(/entra.*user\(s\) sent without externalId/);
    await check('tenant-overview');
    // the live feed long-polls: record its requests that wait on the server
    const polls: Request[] = [];
    const onRequest = (r: Request) => {
      if (r.url().endsWith('/graphql') && /"operationName":"EventFeed"/.test(r.postData() ?? '') && /"wait":[1-9]/.test(r.postData() ?? '')) polls.push(r);
    };
    page.on('request', onRequest);
    await page.getByRole('link', { name: 'Review holds' }).click();
    await page.getByRole('heading', { name: 'Deprovisioning holds' }).waitFor();
    await check('events');
    const before = (await s.services.events.list(tenantId, { after: 0, limit: 1000 })).events.filter((e) => e.type.endsWith('user.deleted')).length;
    expect(await page.locator('tr[data-event="com.provisio.user.deleted"]').count()).toBe(before); // the held ones are not in the feed
    const waitingBefore = [...polls]; // the long poll in flight now was sent before the release
    const delivered = page.waitForResponse(async (r) => polls.includes(r.request()) && (await r.text()).includes('user.deleted'));
    await page.locator(`tr[data-hold="${hold.id}"]`).getByRole('button', { name: 'Release hold' }).click();
    await page.locator(`tr[data-hold="${hold.id}"]`).getByText('released').waitFor();
    const after = (await s.services.events.list(tenantId, { after: 0, limit: 1000 })).events.filter((e) => e.type.endsWith('user.deleted')).length;
    expect(after - before).toBe(hold.events);
    // the released events reach the open page through the long poll that was already waiting, not a later refresh
    expect(waitingBefore).toContain((await delivered).request());
    await page.locator('tr[data-event="com.provisio.user.deleted"]').nth(after - 1).waitFor();
    expect(await page.locator('tr[data-event="com.provisio.user.deleted"]').count()).toBe(after);
    page.off('request', onRequest);
    expect(await s.services.events.holds(tenantId, 'open')).toHaveLength(0);
  });

  it('the other pages load, each without serious accessibility violations', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const [link, heading, name] of [
      ['Groups', 'Groups', 'groups'],
      ['Activity', 'Activity', 'activity'],
      ['Custom attributes', 'Custom attributes', 'attributes'],
      ['Setup links', 'Setup links', 'setup-links'],
      ['Admin keys', 'Admin keys', 'admin-keys'],
      ['GraphQL explorer', 'GraphQL explorer', 'explorer'],
      ['Tenants', 'Tenants', 'tenants'],
    ] as const) {
      await nav.getByRole('link', { name: link }).click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      if (name === 'activity') {
        await page.locator('tbody tr').first().waitFor();
        // the failed request (the revoked token's 401) by the outcome filter, and its detail
        await page.getByLabel('Outcome').selectOption('FAILURE');
        await page.locator('tbody tr.failed').first().waitFor();
        // the unfiltered list had a failed row too: wait for the filtered answer to replace it
        await page.locator('tbody tr:not(.failed)').first().waitFor({ state: 'detached' });
        expect(await page.locator('tbody tr:not(.failed)').count()).toBe(0);
        await expect(page.locator('tbody tr').first().textContent()).resolves.toContain('401');
        await page.locator('tbody tr').first().getByRole('button', { name: /^Details/ }).click();
        await expect(page.getByRole('region', { name: 'Request detail' }).textContent()).resolves.toContain('"status": 401');
      }
      if (name === 'tenants') {
        // last request and error rate come from the server (Tenant.activity), not from per-connection fields
        const row = page.locator('tbody tr', { hasText: 'Acme Corp' });
        await expect(row.locator('td').nth(4).textContent()).resolves.toMatch(/^\d+\.\d % of \d+$/);
        await expect(row.locator('td').nth(3).locator('time').count()).resolves.toBe(1);
      }
      if (name === 'explorer') {
        await page.getByRole('button', { name: 'Run' }).click();
        await expect(page.getByLabel('Result').textContent()).resolves.toContain('acme-corp');
      }
      await check(name);
      if (name === 'tenants') await nav.getByRole('link', { name: 'Tenants' }).click();
      if (name === 'tenants') await page.getByRole('link', { name: 'Acme Corp' }).click();
    }
    // a browser opening /graphql lands on the bundled explorer
    await page.goto(`${s.origin}/graphql`);
    expect(new URL(page.url()).pathname).toBe('/admin/explorer');
  });

  it('a setup link completes once, without an admin key, then refuses', async () => {
    await page.goto(`${s.origin}/admin/t/${slug}/setup-links`);
    await page.getByLabel('Identity provider').selectOption({ label: 'Okta' });
    await page.getByRole('button', { name: 'Create setup link' }).click();
    const link = (await page.getByTestId('secret-setup-link').textContent())!;
    expect(link).toMatch(new RegExp(`^${s.origin}/admin/setup#prvsetup_`));

    const customer = await s.newPage(); // a new tab: no admin key in its sessionStorage
    await customer.goto(link);
    await customer.getByText('Acme Corp').first().waitFor();
    await check('setup-public', customer);
    await customer.getByRole('button', { name: 'Create my SCIM connection' }).click();
    const token = (await customer.getByTestId('secret-bearer-token').textContent())!;
    expect(await customer.getByTestId('secret-connector-base-url').textContent()).toBe(`${s.origin}/scim/v2/${slug}`);
    await check('setup-public-done', customer);
    expect((await s.scim(token, 'GET', `/scim/v2/${slug}/Users?count=1`)).status).toBe(200);

    const again = await s.newPage();
    await again.goto(link);
    await expect(again.getByRole('alert').textContent()).resolves.toMatch(/already been used/);
    await again.close();
    await customer.close();
    await page.reload();
    await page.getByText('completed', { exact: true }).waitFor();
  });

  it('an auditor key sees every page but no mutation button', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(auditorKey);
    const tenantId = (await s.services.tenants.get(slug)).id;
    const connectionId = (await s.services.connections.listConnections(tenantId))[0].id;
    const pages = ['', `/t/${slug}`, `/t/${slug}/connections/${connectionId}`, `/t/${slug}/users`, `/t/${slug}/events`, `/t/${slug}/attributes`, `/t/${slug}/setup-links`, `/t/${slug}/activity`];
    for (const p of pages) {
      await page.goto(`${s.origin}/admin${p}`);
      await page.locator('main h1').first().waitFor();
      await settled();
      const labels = await page.locator('main button, main a.button').allTextContents();
      expect({ page: p, mutating: labels.filter((l) => MUTATING.test(l)) }).toEqual({ page: p, mutating: [] });
    }
    await expect(page.locator('.who').textContent()).resolves.toContain('Auditor (read only)');
    expect(await page.getByRole('link', { name: 'Admin keys' }).count()).toBe(0);
  });

  it('the accessibility check is live: an unlabelled field added to a page is reported', async () => {
    await page.evaluate(`document.querySelector('main').insertAdjacentHTML('beforeend', '<input id="unlabelled-probe">')`);
    expect((await s.axe(page)).map((v) => v.id)).toContain('label');
    await page.reload();
  });

  it('every page: no serious axe violation, no request to another origin, nothing refused by the CSP', () => {
    expect(Object.keys(a11y).length).toBeGreaterThanOrEqual(15);
    expect(Object.fromEntries(Object.entries(a11y).filter(([, v]) => v.length))).toEqual({});
    expect(s.foreignRequests).toEqual([]);
    expect(s.pageErrors).toEqual([]);
  });
});
