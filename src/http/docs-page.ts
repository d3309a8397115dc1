import type { Config } from '../config';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * GET /docs: the page ServiceProviderConfig's documentationUri (RFC 7643 §5) points to. It says
 * what this server implements and where each surface lives; the full reference is in the
 * project's docs/ directory.
 */
export function docsPage(config: Pick<Config, 'publicUrl' | 'bulkMaxOperations' | 'maxResults'>): string {
  const base = esc(`${config.publicUrl}/scim/v2/{tenant}`);
  const row = (method: string, path: string, what: string) => `<tr><td>${method}</td><td><code>${esc(path)}</code></td><td>${what}</td></tr>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Provisio SCIM 2.0</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}td,th{padding:.2rem .6rem;text-align:left;vertical-align:top}code{font-size:.9em}</style></head>
<body>
<h1>Provisio SCIM 2.0 service</h1>
<p>Multi-tenant SCIM 2.0 (RFC 7643, RFC 7644) for Users and Groups. Each tenant has its own base URL,
<code>${base}</code>, and authenticates with the bearer token of one of its SCIM connections
(<code>Authorization: Bearer prv_…</code>). Errors are RFC 7644 §3.12 bodies.</p>
<h2>Endpoints</h2>
<table><tr><th>Method</th><th>Path (under the base URL)</th><th></th></tr>
${row('GET', '/ServiceProviderConfig', 'what this server supports (RFC 7644 §4)')}
${row('GET', '/ResourceTypes, /Schemas', 'resource types and schemas, with the tenant\'s custom attributes')}
${row('GET, POST', '/Users, /Groups', 'list with filter, sort and paging (index or cursor; at most ' + config.maxResults + ' per page); create')}
${row('GET, PUT, PATCH, DELETE', '/Users/{id}, /Groups/{id}', 'read, replace, patch (RFC 7644 §3.5.2), delete; ETags (If-Match)')}
${row('POST', '/.search, /Users/.search, /Groups/.search', 'search with a body (RFC 7644 §3.4.3)')}
${row('POST', '/Bulk', 'bulk operations (at most ' + config.bulkMaxOperations + ' per request, bulkId references)')}
${row('GET', '/openapi.json', 'OpenAPI 3.1 description of this surface, with the tenant\'s custom attributes')}
</table>
<h2>Elsewhere on this server</h2>
<ul>
<li><code>/graphql</code>: the GraphQL admin API (admin keys: <code>provisio admin-key create</code>)</li>
<li><code>/healthz</code>, <code>/readyz</code>: liveness and readiness; <code>/metrics</code>: Prometheus metrics</li>
</ul>
<p>The full reference (operations, CLI, IdP guides) is in the project's <code>docs/</code> directory.</p>
</body></html>
`;
}
