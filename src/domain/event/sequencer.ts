import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql';

/**
 * Gives a tenant's committed, ready, not yet numbered events their sequence numbers, in
 * `position` order, under the tenant's event_sequence row lock (one sequencer per tenant at a
 * time; each run's numbers are larger than every earlier run's, and become visible together at
 * its commit). So the numbered stream only ever grows at its end: a consumer that has read up to
 * N never finds a smaller number later.
 *
 * Per-resource order holds because every event's subject is a row its transaction has locked
 * (the user or the group); the next change of that resource waits for the commit, and only then
 * draws its position. Whenever the sequencer sees the later event, it sees the earlier one too.
 *
 * Writers take no sequence lock: numbering happens here, when the relay polls and when the feed
 * is read, instead of in every write's commit path (a counter row updated by each write would
 * serialise all of a tenant's writes behind one another's WAL flush).
 */
export async function assignSequences(orm: MikroORM, tenantId: string): Promise<number> {
  return (orm.em.fork() as EntityManager).transactional(async (em) => {
    const [counter] = await sql<{ value: string }>(
      em,
      `insert into event_sequence (tenant_id, value) values (?, 0)
       on conflict (tenant_id) do update set value = event_sequence.value returning value`,
      [tenantId],
    );
    // a fresh statement after the lock: sees everything committed before it was granted
    const numbered = await sql<{ sequence: string }>(
      em,
      `with pending as (select id, row_number() over (order by position) as rn from event_outbox
                          where tenant_id = ? and sequence is null and state = 'ready')
       update event_outbox o set sequence = ?::bigint + p.rn from pending p where o.id = p.id returning o.sequence`,
      [tenantId, counter.value],
    );
    if (numbered.length) await sql(em, 'update event_sequence set value = value + ? where tenant_id = ?', [numbered.length, tenantId]);
    return numbered.length;
  });
}

/**
 * The read path's sequencer: a read-only existence probe (on event_outbox_unsequenced_idx) first,
 * and the locking, row-rewriting assignSequences only when some committed event still lacks its
 * number. Feed reads and long polls with nothing pending so write nothing and take no lock.
 */
export async function sequencePending(orm: MikroORM, tenantId: string): Promise<number> {
  const [probe] = await sql<{ pending: boolean }>(
    orm.em.fork() as EntityManager,
    `select exists (select 1 from event_outbox where tenant_id = ? and sequence is null and state = 'ready') as pending`,
    [tenantId],
  );
  return probe.pending ? assignSequences(orm, tenantId) : 0;
}

/** Numbers the pending events of every tenant that has some (the relay, before each batch). */
export async function assignAllSequences(orm: MikroORM): Promise<number> {
  const tenants = await sql<{ tenant_id: string }>(
    orm.em.fork() as EntityManager,
    `select distinct tenant_id from event_outbox where sequence is null and state = 'ready'`,
  );
  let n = 0;
  for (const t of tenants) n += await assignSequences(orm, t.tenant_id);
  return n;
}
