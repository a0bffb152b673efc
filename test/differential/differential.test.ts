// The project's own differential suite: histories written for it (test/differential/histories),
// modeled on what real application histories do, each migration planned and proven on
// PostgreSQL (src/differential.ts). Every outcome is recorded in expected.json: a
// planner change that turns an equal plan into a failure, a difference or a refusal fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { differential, type Outcome } from '../../src/differential.js';
import { stopShadowServer } from '../../src/shadow/server.js';

const HISTORIES = join(import.meta.dirname, 'histories');
/** Each history's root: the directory its layout keeps migrations in. */
const ROOTS: Record<string, string> = {
  shop: 'shop/prisma/migrations',
  catalog: 'catalog/migrations',
  ledger: 'ledger/migrations',
};
const expected = JSON.parse(readFileSync(join(import.meta.dirname, 'expected.json'), 'utf8')) as Record<
  string,
  Record<string, string>
>;

// the embedded PostgreSQL pgphase proves plans on by default: a shared server with durable
// storage pays a checkpoint for every scratch database dropped
afterAll(stopShadowServer);

for (const name of readdirSync(HISTORIES)) {
  test.concurrent(`history ${name}`, async ({ expect }) => {
    const outcomes: Outcome[] = await differential({ dir: join(HISTORIES, ROOTS[name] ?? name) });
    const actual = Object.fromEntries(
      outcomes.map((o) => [
        o.file,
        o.kind === 'equal' || o.kind === 'nothing to plan' ? o.kind : `${o.kind}: ${o.details.join('; ')}`,
      ]),
    );
    expect(actual).toEqual(expected[name]);
  }, 120_000);
}
