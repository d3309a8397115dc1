import { CLOUDEVENTS_TYPE_PREFIX, CloudEvent } from './event-types';

/** An outbox row with its tenant's slug, as the relay and the feed read it. */
export interface OutboxRow {
  id: string;
  tenant_id: string;
  slug: string;
  sequence: string;
  type: string;
  subject: string;
  time: string | Date;
  data: Record<string, unknown>;
}

/** The columns `toCloudEvent` needs, for `select ${OUTBOX_COLUMNS} from event_outbox o join tenant t …`. */
export const OUTBOX_COLUMNS = 'o.id, o.tenant_id, t.slug, o.sequence, o.type, o.subject, o.time, o.data';

/** The CloudEvents source of a tenant's events. */
export function tenantSource(slug: string): string {
  return `/tenants/${slug}`;
}

/** CloudEvents 1.0 structured JSON (spec §3; JSON format spec §3) of an outbox row. */
export function toCloudEvent(row: OutboxRow): CloudEvent {
  return {
    specversion: '1.0',
    id: row.id,
    source: tenantSource(row.slug),
    type: CLOUDEVENTS_TYPE_PREFIX + row.type,
    subject: row.subject,
    time: new Date(row.time).toISOString(),
    datacontenttype: 'application/json',
    sequence: Number(row.sequence),
    tenantid: row.tenant_id,
    data: row.data,
  };
}
