import type { Knex } from 'knex';
import { compileFilters, type SearchFilters } from '../../domain/directory/query';
import { tierQueries } from '../../domain/directory/search';

/**
 * EXPLAIN ANALYZE of every tier query of the shortest searches (one and two letters,
 * alone and with a filter), each as it appears in the ranking statement of
 * searchDirectory. Counts sequential scans of directory_search: there must be none.
 */
const CASES: SearchFilters[] = [
  { name: 'm' },
  { name: 'ma' },
  { name: 'ma', place: '75' },
  { name: 'b', profession: 'infirmier' },
  { profession: 'généraliste', place: '69' },
];

export async function explainShortQueries(db: Knex): Promise<{ text: string; seqScans: number }> {
  let text = '';
  let seqScans = 0;
  for (const filters of CASES) {
    const c = compileFilters(filters);
    for (const [i, tier] of tierQueries(c, 21).entries()) {
      const { rows } = await db.raw(
        `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${tier.sql}`,
        tier.bindings,
      );
      const plan = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      if (/Seq Scan on directory_search/.test(plan)) seqScans++;
      text += `-- ${JSON.stringify(filters)} tier ${i}\n${plan}\n\n`;
    }
  }
  return { text, seqScans };
}
