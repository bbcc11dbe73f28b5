import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';

/**
 * CPU seconds used so far by this process and by the PostgreSQL backends serving this
 * database (read from /proc, so only when PostgreSQL runs on this machine; `pg` is null
 * otherwise). The difference between two snapshots is what some work cost, wherever it
 * ran: a search's cost is Node's plus PostgreSQL's, and latency under load follows it.
 */
export interface CpuSnapshot {
  node: number;
  pg: number | null;
}

const TICKS_PER_SECOND = 100;

export async function cpuSnapshot(db: Knex): Promise<CpuSnapshot> {
  const { rows } = await db.raw(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  let ticks = 0;
  let readable = 0;
  for (const { pid } of rows as { pid: number }[]) {
    try {
      // Fields after "(comm) ": state is the 1st, utime the 12th, stime the 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      readable++;
    } catch {
      // Not on this machine (or gone): not counted.
    }
  }
  const usage = process.cpuUsage();
  return {
    node: (usage.user + usage.system) / 1e6,
    pg: readable ? ticks / TICKS_PER_SECOND : null,
  };
}
