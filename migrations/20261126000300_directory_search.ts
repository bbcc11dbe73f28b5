import type { Knex } from 'knex';

/**
 * The directory's search side: one row per searchable entry (a professional or a structure
 * in the directory), rebuilt by each import and swapped in atomically.
 *
 * `tokens` holds every key an entry can be found by, each tagged by what it is:
 *   n:<prefix>  every prefix (1..10 chars) of every word of the name, accent-free lower case
 *   i:<id>      identifiers, exact (national id, RPPS/ADELI, FINESS, SIRET, structure key)
 *   p:<code>    profession code;  s:<code> speciality code (lower case)
 *   d:<dept>    département;  z:<postcode>;  c:<commune code>;  v:<prefix> city word prefixes
 * so that the three filters of the recipient picker become one array containment test
 * served by one GIN index, including 1–2 letter prefixes. `sort_key` (last name, first
 * name; or structure name) in the "C" collation gives an ordered index scan for the broad
 * queries where LIMIT must stop early.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE directory_search (
      kind char(1) NOT NULL CHECK (kind IN ('p', 's')),
      entity_id bigint NOT NULL,
      sort_key text COLLATE "C" NOT NULL,
      last_key text COLLATE "C" NOT NULL,
      name_text text NOT NULL,
      tokens text[] NOT NULL
    )`);
  await knex.raw(
    'CREATE UNIQUE INDEX directory_search_entity_idx ON directory_search (kind, entity_id)',
  );
  await knex.raw(
    'CREATE INDEX directory_search_sort_idx ON directory_search (sort_key, kind, entity_id)',
  );
  await knex.raw('CREATE INDEX directory_search_last_idx ON directory_search (last_key)');
  await knex.raw(
    'CREATE INDEX directory_search_tokens_idx ON directory_search USING gin (tokens) WITH (fastupdate = off)',
  );
  // Many distinct tokens: a larger sample keeps the planner's selectivity estimates honest.
  await knex.raw('ALTER TABLE directory_search ALTER COLUMN tokens SET STATISTICS 1000');

  // One row per import run: what the operator sees with `directory:import --history`.
  await knex.schema.createTable('directory_imports', (t) => {
    t.bigIncrements('id');
    t.text('file_name').notNullable();
    t.integer('columns');
    t.integer('lines');
    t.integer('malformed');
    t.integer('professionals');
    t.integer('structures');
    t.integer('activities');
    t.integer('professionals_removed');
    t.integer('structures_removed');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('directory_imports');
  await knex.raw('DROP TABLE directory_search');
}
