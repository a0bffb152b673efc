// Each rule that says `pgphase plan` makes its finding safe (meta.plannable) is held to it: the
// "Incorrect" example of its doc page is planned over the schema the page gives it, and the
// plan's phases, run in order on PostgreSQL, leave the schema the example leaves as written.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { planAgainstMigration } from '../helpers/catalog.js';
import { testDatabase } from '../helpers/db.js';
import { docPath, example, parseDoc } from '../helpers/docs.js';

const db = await testDatabase();
const c = await db.client();
const plannable = rules.filter((r) => r.meta.plannable).map((r) => r.meta.id);

/** Examples that need a newer PostgreSQL than the oldest one supported. */
const MIN_MAJOR: Record<string, number> = { 'add-column-rewrite': 13 };

describe('the Incorrect example of every plannable rule', () => {
  it('is planned for more than twenty rules', () => {
    expect(plannable.length).toBeGreaterThan(20);
  });

  describe.each(plannable)('%s', (id) => {
    it.runIf(db.major >= (MIN_MAJOR[id] ?? 0))(
      'plans into phases that leave the schema the example leaves',
      async () => {
        expect(existsSync(docPath(id))).toBe(true);
        const ex = example(parseDoc(readFileSync(docPath(id), 'utf8')).sections.get('Incorrect'), 'Incorrect');
        expect(
          ex.history,
          `rules/${id}.md: give the Incorrect example the schema it runs on, in <!-- history: … --> before it`,
        ).toBeDefined();
        const r = await planAgainstMigration(c, { setup: ex.history!, migration: ex.sql, pgVersion: db.major });
        expect(r.plan.manifest.phases.length).toBeGreaterThan(0);
        expect(r.planned.schema).toEqual(r.written.schema);
      },
    );
  });
});
