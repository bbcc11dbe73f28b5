import type { Knex } from 'knex';

/**
 * Pro Santé Connect (issue 16): what the provider said of the professional at the last
 * sign-in (profession, speciality, activities from SubjectRefPro) and when, shown beside
 * the directory's entry. The provider speaks for today; the directory for the last
 * import, so both are kept and a difference is logged rather than resolved.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.jsonb('psc_profile');
    t.timestamp('psc_checked_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('psc_profile');
    t.dropColumn('psc_checked_at');
  });
}
