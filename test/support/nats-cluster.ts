import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import { freePort } from './ports';

export const NATS_SERVER = '/usr/sbin/nats-server';

export interface NatsCluster {
  /** Client URLs, comma-separated (NATS_URL of several servers). */
  url: string;
  urls: string[];
  stop(): Promise<void>;
}

/**
 * A JetStream cluster of `size` nats-server processes of the test's own: their own client and route
 * ports and store directories, so nothing touches the machine's NATS. Resolves once JetStream has a
 * meta leader (a stream with replicas can be created). `stop` kills every process and removes the
 * directories.
 */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-nats-'));
  const name = `provisio_test_${process.pid}_${Math.random().toString(36).slice(2, 6)}`;
  const clientPorts: number[] = [];
  const routePorts: number[] = [];
  for (let i = 0; i < size; i++) clientPorts.push(await freePort()), routePorts.push(await freePort());
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const procs: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      procs.map((p) =>
        p.exitCode !== null || p.signalCode !== null ? undefined : new Promise<void>((resolve) => (p.once('exit', () => resolve()), p.kill('SIGKILL'))),
      ),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i++) {
      const store = path.join(dir, `n${i}`);
      fs.mkdirSync(store);
      const args = ['-a', '127.0.0.1', '-p', String(clientPorts[i]), '-js', '-sd', store, '--server_name', `n${i}`,
        '--cluster_name', name, '--cluster', `nats://127.0.0.1:${routePorts[i]}`, '--routes', routes];
      const p = spawn(NATS_SERVER, args, { stdio: ['ignore', 'ignore', 'ignore'] });
      procs.push(p);
    }
    const urls = clientPorts.map((p) => `nats://127.0.0.1:${p}`);
    // JetStream is ready when a replicated stream can be created (the cluster elected its meta leader)
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const nc = await connect({ servers: urls, timeout: 1000 });
        try {
          const jsm = await nc.jetstreamManager({ timeout: 2000 });
          const probe = `PROBE_${name}`.toUpperCase();
          await jsm.streams.add({ name: probe, subjects: [`${probe}.>`], num_replicas: size });
          await jsm.streams.delete(probe);
          break;
        } finally {
          await nc.close();
        }
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`NATS cluster did not come up: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    return { url: urls.join(','), urls, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
