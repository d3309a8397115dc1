import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { AuditService } from '../domain/audit/audit.service';
import { DAY_MS, ensurePartitions, PARTITION_DAYS_AHEAD, PARTITIONED_TABLES } from './partitions';

export interface StorageMaintenanceOptions {
  auditRetentionDays: number;
  /** How often a round runs (default hourly); partitions exist PARTITION_DAYS_AHEAD days ahead. */
  everyMs?: number;
}

/**
 * Keeps the time-partitioned tables (src/db/partitions.ts) in shape: today's and the next
 * PARTITION_DAYS_AHEAD days' partitions exist, and audit retention drops the expired ones (the
 * outbox's retention runs with the relay, see EventService.prune). Every instance runs it; the DDL
 * is serialised by an advisory lock and skips what another instance already did.
 */
export class StorageMaintenance {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly orm: MikroORM,
    private readonly audit: AuditService,
    private readonly options: StorageMaintenanceOptions,
    private readonly logger: Logger,
  ) {}

  /** One round; returns what it created and dropped. */
  async run(now = Date.now()): Promise<{ created: string[]; dropped: string[]; deleted: number }> {
    const em = this.orm.em.fork() as EntityManager;
    const created: string[] = [];
    for (const table of PARTITIONED_TABLES) created.push(...(await ensurePartitions(em, table, now, now + PARTITION_DAYS_AHEAD * DAY_MS)));
    const { dropped, deleted } = await this.audit.prune(this.options.auditRetentionDays, now);
    if (created.length || dropped.length || deleted) this.logger.info({ created, dropped, deleted }, 'partition maintenance');
    return { created, dropped, deleted };
  }

  /**
   * Runs a round now (before the server takes traffic), then every `everyMs`. A failed round (a lock
   * not granted within lock_timeout, say) is logged and retried at the next one: writes meanwhile go
   * to the partitions created earlier, or to the default partition, never fail.
   */
  async start(): Promise<void> {
    const round = () =>
      this.run().then(
        () => undefined,
        (err: unknown) => this.logger.warn({ err }, 'partition maintenance failed; retried at the next round'),
      );
    await round();
    this.timer = setInterval(() => (this.running = round()), this.options.everyMs ?? 3_600_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
