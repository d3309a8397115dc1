import { Secret } from './ui';

/** The query flag that makes Entra ID send RFC-compliant PATCH (lowercase ops, real booleans). */
export const ENTRA_FLAG = 'aadOptscim062020';

export const EXPIRY_CHOICES = [
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: 730, label: '2 years' },
  { days: 1825, label: '5 years' },
  { days: 3650, label: '10 years' },
];

export function urlFor(idp: string, scimUrl: string): string {
  return idp.toUpperCase() === 'ENTRA' ? `${scimUrl}?${ENTRA_FLAG}` : scimUrl;
}

/** The steps of each IdP's admin flow, with the exact values to paste. */
export function IdpSteps({ idp, scimUrl, token }: { idp: string; scimUrl: string; token: string }) {
  const url = urlFor(idp, scimUrl);
  switch (idp.toUpperCase()) {
    case 'ENTRA':
      return (
        <ol className="steps">
          <li>In the Microsoft Entra admin center open <strong>Enterprise applications → New application → Create your own application</strong> ("Integrate any other application you don't find in the gallery").</li>
          <li>Open <strong>Provisioning</strong>, set <strong>Provisioning Mode</strong> to <em>Automatic</em>.</li>
          <li>Under <strong>Admin Credentials</strong> paste the <strong>Tenant URL</strong> (it ends in <code>?{ENTRA_FLAG}</code>, which makes Entra send standard PATCH requests): <Secret label="Tenant URL" value={url} /></li>
          <li>Paste the <strong>Secret Token</strong>: <Secret label="Secret token" value={token} /></li>
          <li>Click <strong>Test Connection</strong>, then <strong>Save</strong>, assign users and groups, and turn provisioning <em>On</em>.</li>
        </ol>
      );
    case 'OKTA':
      return (
        <ol className="steps">
          <li>In the Okta admin console create an app integration (SAML or SWA), then on <strong>General → App Settings</strong> enable <strong>SCIM provisioning</strong>.</li>
          <li>On the <strong>Provisioning</strong> tab, paste the <strong>SCIM connector base URL</strong>: <Secret label="Connector base URL" value={url} /></li>
          <li>Set <strong>Unique identifier field for users</strong> to <code>userName</code>; tick Push New Users, Push Profile Updates and Push Groups.</li>
          <li>Set <strong>Authentication Mode</strong> to <em>HTTP Header</em> and paste the token as <strong>Bearer</strong>: <Secret label="Bearer token" value={token} /></li>
          <li>Click <strong>Test Connector Configuration</strong>, then <strong>Save</strong>, and enable Create, Update and Deactivate Users under <strong>To App</strong>.</li>
        </ol>
      );
    case 'JUMPCLOUD':
      return (
        <ol className="steps">
          <li>In the JumpCloud admin portal open <strong>SSO Applications → Add New Application → Custom Application</strong> and enable <strong>Identity Management</strong>.</li>
          <li>Choose <strong>SCIM API</strong> type <em>SCIM 2.0</em> and paste the <strong>Base URL</strong>: <Secret label="Base URL" value={url} /></li>
          <li>Paste the <strong>Token Key</strong> (sent as a Bearer token): <Secret label="Token key" value={token} /></li>
          <li>Click <strong>Test Connection</strong>, then <strong>Activate</strong>, and bind user groups to the application.</li>
        </ol>
      );
    default:
      return (
        <ol className="steps">
          <li>In your SCIM 2.0 client, set the <strong>base URL</strong> (RFC 7644 §1.3): <Secret label="Base URL" value={url} /></li>
          <li>Authenticate with <code>Authorization: Bearer &lt;token&gt;</code> (RFC 6750): <Secret label="Bearer token" value={token} /></li>
          <li>Send a first request, for example <code>GET /Users?count=1</code>, to check the connection.</li>
        </ol>
      );
  }
}

export function ExpiryPicker({ value, onChange, id = 'token-expiry' }: { value: number; onChange: (days: number) => void; id?: string }) {
  return (
    <label htmlFor={id}>
      Token expires after
      <select id={id} value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {EXPIRY_CHOICES.map((c) => <option key={c.days} value={c.days}>{c.label}</option>)}
      </select>
    </label>
  );
}
