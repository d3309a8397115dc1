import { Badge, Time } from './ui';

/** What the console reads of ScimConnection.health (the connection's mapping health over a window). */
export interface Health {
  errors: number;
  userWrites: number;
  groupWrites: number;
  missing: readonly { attribute: string; users: number }[];
  unknownAttributes: readonly { attribute: string; count: number }[];
  unknownManagers: number;
  unparsablePhones: number;
  recentErrors: readonly { status: number; scimType?: string | null; detail: string; count: number; lastSeen: string; lastRequest: string }[];
}

/** The warnings of a connection's mapping health, in words (none: the mapping looks right). */
export function healthWarnings(h: Health): string[] {
  const w: string[] = [];
  for (const m of h.missing) w.push(`${m.users} user(s) sent without ${m.attribute}`);
  for (const u of h.unknownAttributes) w.push(`${u.count} write(s) carried ${u.attribute}, which no schema of the tenant defines (ignored)`);
  if (h.unknownManagers) w.push(`${h.unknownManagers} write(s) named a manager who is no user of the tenant`);
  if (h.unparsablePhones) w.push(`${h.unparsablePhones} phone number(s) without an RFC 3966 form`);
  if (h.errors) w.push(`${h.errors} request(s) refused`);
  return w;
}

export function HealthBadge({ health }: { health: Health }) {
  const n = healthWarnings(health).length;
  return n ? <Badge tone="warn">{n} mapping warning(s)</Badge> : <Badge tone="ok">mapping ok</Badge>;
}

/** The warnings as a list, with the refused requests' details when asked. */
export function HealthWarnings({ health, errors = false }: { health: Health; errors?: boolean }) {
  const warnings = healthWarnings(health);
  return (
    <>
      {warnings.length === 0 ? <p className="muted">No mapping warning in {health.userWrites} user write(s) and {health.groupWrites} group write(s).</p> : <ul className="health-warnings">{warnings.map((w) => <li key={w}>{w}</li>)}</ul>}
      {errors && health.recentErrors.length > 0 && (
        <table aria-label="Refused requests">
          <thead><tr><th scope="col">Last seen</th><th scope="col">Status</th><th scope="col">Times</th><th scope="col">Detail</th><th scope="col">Last request</th></tr></thead>
          <tbody>{health.recentErrors.map((e) => <tr key={`${e.status} ${e.scimType ?? ''} ${e.detail}`}><td><Time value={e.lastSeen} /></td><td>{e.status}{e.scimType ? ` (${e.scimType})` : ''}</td><td>{e.count}</td><td>{e.detail}</td><td><code>{e.lastRequest}</code></td></tr>)}</tbody>
        </table>
      )}
    </>
  );
}
