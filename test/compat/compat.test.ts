// The compatibility proof (RECIPES.md): for every recipe, a plan applied through the runner
// on real PostgreSQL while two pinned connections play the old application (V) and the new
// one (V+1). V works after expand and trigger; V+1 from the phase it may be deployed after;
// both write concurrently through the whole backfill without an error or a lost value; V+1
// works after the last phase, on exactly the schema the migration gives; every reversible
// phase rolls back to the schema before it with V still working. What the run observes
// becomes README.md's compatibility matrix.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import { prove } from '../../src/shadow/prove.js';
import type { PhaseName } from '../../src/plan/types.js';
import { rollbackPhase, runPhase, type RunEvent } from '../../src/runner/run.js';
import { verify } from '../../src/runner/verify.js';
import { stopShadowServer } from '../../src/shadow/server.js';
import { quoteIdent } from '../../src/sql/names.js';
import { catalog } from '../helpers/catalog.js';
import { tempTree } from '../helpers/cli.js';
import { resetSchema, runScript, testDatabase } from '../helpers/db.js';
import { AppVersion, SETUP_ROWS, whileRunning, type Queries } from './app.js';
import { matrixIn, renderMatrix, withMatrix, type MatrixRow } from './matrix.js';

const db = await testDatabase();
afterAll(stopShadowServer);
const c = await db.client();
const [appV, appV1] = [await db.client(), await db.client()];
// an application query that waits this long is an outage: it fails the proof instead of hanging it
for (const app of [appV, appV1]) await app.query(`SET lock_timeout = '3s'; SET statement_timeout = '10s'`);

/** Small batches with a pause: the backfill takes many transactions, and the applications write between them. */
const BACKFILL = { batchSize: 250, pauseMs: 20 };

interface Case {
  recipe: string;
  /** Creates `table` with ids 1..SETUP_ROWS, and whatever else the recipe needs. */
  setup: string;
  migration: string;
  /** The table whose rows V and V+1 write, by `id`. */
  table: string;
  phases: PhaseName[];
  /** The phase after which V+1 may be deployed (RECIPES.md); none: V+1 may run before the first phase. */
  v1After?: PhaseName;
  v: Queries;
  v1: Queries;
  /** Rows the migration's data change has not reached; none may be left after the last phase. */
  leftover?: string;
}

const mail = (id: number) => `u${id}@example.com`;
const uuid = (id: number) => `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`;

const USERS = `CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL CHECK (email LIKE '%@%'),
    name text NOT NULL DEFAULT 'anonymous',
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE UNIQUE INDEX users_email_key ON users (email);
  INSERT INTO users (id, email, name) SELECT g, 'user' || g || '@example.com', 'user ' || g FROM generate_series(1, ${SETUP_ROWS}) g;`;

/** An application using users(email) under the name `column`; `holders` are the columns that must end up with what it writes there. */
function usersApp(tag: string, column = 'email', holders = [column]): Queries {
  const q = quoteIdent(column);
  const hold = (value: string) => Object.fromEntries(holders.map((h) => [h, value]));
  return ({ id, row }) => [
    {
      sql: `INSERT INTO users (id, ${q}) VALUES ($1, $2)`,
      params: [id, mail(id)],
      wrote: [id, { ...hold(mail(id)), name: 'anonymous' }],
    },
    {
      sql: `INSERT INTO users (id, ${q}, name, created_at) VALUES ($1, $2, $3, now())`,
      params: [id + 1, mail(id + 1), tag],
      wrote: [id + 1, { ...hold(mail(id + 1)), name: tag }],
    },
    {
      sql: `UPDATE users SET ${q} = $2 WHERE id = $1`,
      params: [row, mail(id + 2)],
      rows: 1,
      wrote: [row, hold(mail(id + 2))],
    },
    { sql: `SELECT id, name FROM users WHERE ${q} = $1`, params: [mail(id + 2)], rows: 1 },
    {
      sql: `INSERT INTO users (id, ${q}) VALUES ($1, $2) ON CONFLICT (${q}) DO UPDATE SET name = $3`,
      params: [id + 3, mail(id), `${tag} again`],
      rows: 1,
      wrote: [id, { name: `${tag} again` }],
    },
  ];
}

const ORDERS = `CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    reference text NOT NULL UNIQUE,
    status text NOT NULL DEFAULT 'new',
    total_cents int NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  INSERT INTO orders (id, customer_id, reference, status, total_cents)
    SELECT g, g % 500, 'R-' || g, CASE WHEN g % 3 = 0 THEN 'shipped' ELSE 'paid' END, g FROM generate_series(1, ${SETUP_ROWS}) g;`;

/** An application writing orders; `currency`: whether it writes orders.currency never, in some inserts, or in every one. */
function ordersApp(currency: 'never' | 'sometimes' | 'always' = 'never'): Queries {
  const ref = (id: number) => `R-${id}`;
  return ({ id, row }) => [
    currency === 'always'
      ? {
          sql: 'INSERT INTO orders (id, customer_id, reference, currency) VALUES ($1, $2, $3, $4)',
          params: [id, id % 500, ref(id), 'EUR'],
          wrote: [id, { reference: ref(id), status: 'new', currency: 'EUR' }],
        }
      : {
          sql: 'INSERT INTO orders (id, customer_id, reference) VALUES ($1, $2, $3)',
          params: [id, id % 500, ref(id)],
          wrote: [id, { reference: ref(id), status: 'new' }],
        },
    currency === 'never'
      ? {
          sql: `INSERT INTO orders (id, customer_id, reference, status, total_cents, created_at) VALUES ($1, $2, $3, 'paid', 1999, now())`,
          params: [id + 1, id % 500, ref(id + 1)],
          wrote: [id + 1, { status: 'paid', total_cents: 1999 }],
        }
      : {
          sql: `INSERT INTO orders (id, customer_id, reference, status, total_cents, created_at, currency) VALUES ($1, $2, $3, 'paid', 1999, now(), 'USD')`,
          params: [id + 1, id % 500, ref(id + 1)],
          wrote: [id + 1, { status: 'paid', total_cents: 1999, currency: 'USD' }],
        },
    {
      sql: `UPDATE orders SET status = 'shipped', total_cents = $2 WHERE id = $1`,
      params: [row, id],
      rows: 1,
      wrote: [row, { status: 'shipped', total_cents: id }],
    },
    currency === 'never'
      ? { sql: `SELECT id FROM orders WHERE reference = $1 AND status = 'paid'`, params: [ref(id + 1)], rows: 1 }
      : { sql: `SELECT id FROM orders WHERE reference = $1 AND currency = 'USD'`, params: [ref(id + 1)], rows: 1 },
    {
      sql: `INSERT INTO orders (id, customer_id, reference, total_cents${currency === 'always' ? ', currency' : ''}) VALUES ($1, $2, $3, 2500${currency === 'always' ? ", 'USD'" : ''}) ON CONFLICT (reference) DO UPDATE SET total_cents = excluded.total_cents`,
      params: [id + 2, id % 500, ref(id + 1)],
      rows: 1,
      wrote: [id + 1, { total_cents: 2500 }],
    },
  ];
}

/** `app`'s queries followed by more. */
const and =
  (app: Queries, more: Queries): Queries =>
  (round) => [...app(round), ...more(round)];

const CASES: Case[] = [
  {
    recipe: 'rename column',
    setup: USERS,
    migration: 'ALTER TABLE users RENAME COLUMN email TO contact_email;',
    table: 'users',
    phases: ['expand', 'trigger', 'backfill', 'contract'],
    v1After: 'trigger',
    v: usersApp('V', 'email', ['email', 'contact_email']),
    v1: usersApp('V+1', 'contact_email', ['email', 'contact_email']),
  },
  {
    recipe: 'change column type, widening (varchar(40) → varchar(200), varchar → text)',
    setup: `CREATE TABLE products (id bigint PRIMARY KEY, sku varchar(20) NOT NULL, title varchar(40) NOT NULL DEFAULT 'untitled', price_cents int NOT NULL DEFAULT 0);
      CREATE UNIQUE INDEX products_sku_key ON products (sku);
      INSERT INTO products SELECT g, 'SKU-' || g, 'product ' || g, g FROM generate_series(1, ${SETUP_ROWS}) g;`,
    migration:
      'ALTER TABLE products ALTER COLUMN title TYPE varchar(200);\nALTER TABLE products ALTER COLUMN sku TYPE text;',
    table: 'products',
    phases: ['expand'],
    v1After: 'expand',
    ...(() => {
      const app =
        (sku: (id: number) => string, title: (id: number) => string): Queries =>
        ({ id, row }) => [
          { sql: 'INSERT INTO products (id, sku) VALUES ($1, $2)', params: [id, sku(id)] },
          {
            sql: 'INSERT INTO products (id, sku, title, price_cents) VALUES ($1, $2, $3, 1999)',
            params: [id + 1, sku(id + 1), title(id + 1)],
          },
          { sql: 'UPDATE products SET title = $2 WHERE id = $1', params: [row, title(id + 2)], rows: 1 },
          { sql: 'SELECT id, title FROM products WHERE sku = $1', params: [sku(id + 1)], rows: 1 },
          {
            sql: 'INSERT INTO products (id, sku, title) VALUES ($1, $2, $3) ON CONFLICT (sku) DO UPDATE SET title = excluded.title',
            params: [id + 3, sku(id), title(id + 3)],
            rows: 1,
          },
        ];
      return {
        v: app(
          (id) => `SKU-${id}`,
          (id) => `product ${id}`,
        ),
        // only the new version writes what the old type would refuse
        v1: app(
          (id) => `SKU-${id}-${'long'.repeat(6)}`,
          (id) => `product ${id}: ${'a much longer title '.repeat(7)}`,
        ),
      };
    })(),
  },
  {
    recipe: 'change column type, converting (int → bigint, with a unique index, a check and a default)',
    setup: `CREATE TABLE events (id bigint PRIMARY KEY, external_ref int NOT NULL, amount int NOT NULL DEFAULT 0 CHECK (amount >= 0), payload text);
      CREATE UNIQUE INDEX events_external_ref ON events (external_ref);
      CREATE INDEX events_amount ON events (amount) WHERE amount > 0;
      INSERT INTO events SELECT g, g, g % 100, 'event ' || g FROM generate_series(1, ${SETUP_ROWS}) g;`,
    migration: 'ALTER TABLE events ALTER COLUMN external_ref TYPE bigint, ALTER COLUMN amount TYPE bigint;',
    table: 'events',
    phases: ['expand', 'trigger', 'backfill', 'contract'],
    v1After: 'trigger',
    ...(() => {
      // until contract both columns of each pair must hold what was written
      const both = (ref: number, amount: number) => ({
        external_ref: ref,
        external_ref_pgphase_new: ref,
        amount,
        amount_pgphase_new: amount,
      });
      // the new version sends bigint values, which it must also be able to write into the int columns until contract
      const app =
        (cast: string): Queries =>
        ({ id, row }) => [
          {
            sql: `INSERT INTO events (id, external_ref) VALUES ($1, $2${cast})`,
            params: [id, id],
            wrote: [id, both(id, 0)],
          },
          {
            sql: `INSERT INTO events (id, external_ref, amount, payload) VALUES ($1, $2${cast}, $3${cast}, 'set')`,
            params: [id + 1, id + 1, 7],
            wrote: [id + 1, both(id + 1, 7)],
          },
          {
            sql: `UPDATE events SET external_ref = $2${cast}, amount = $3${cast} WHERE id = $1`,
            params: [row, id + 2, 3],
            rows: 1,
            wrote: [row, both(id + 2, 3)],
          },
          { sql: `SELECT id, amount FROM events WHERE external_ref = $1${cast}`, params: [id + 2], rows: 1 },
          {
            sql: `INSERT INTO events (id, external_ref, payload) VALUES ($1, $2${cast}, 'again') ON CONFLICT (external_ref) DO UPDATE SET payload = excluded.payload`,
            params: [id + 3, id],
            rows: 1,
          },
        ];
      return { v: app(''), v1: app('::bigint') };
    })(),
  },
  {
    recipe: 'set NOT NULL (with the UPDATE that fills it)',
    setup: `${ORDERS}
      ALTER TABLE orders ADD COLUMN currency text;
      UPDATE orders SET currency = 'USD' WHERE id % 4 <> 0;`,
    migration:
      "UPDATE orders SET currency = 'EUR' WHERE currency IS NULL;\nALTER TABLE orders ALTER COLUMN currency SET NOT NULL;",
    table: 'orders',
    phases: ['backfill', 'contract'],
    v: ordersApp('sometimes'),
    v1: ordersApp('always'),
  },
  {
    recipe: 'add required column (nullable, filled, then NOT NULL)',
    setup: ORDERS,
    migration:
      "ALTER TABLE orders ADD COLUMN currency text;\nUPDATE orders SET currency = 'EUR' WHERE currency IS NULL;\nALTER TABLE orders ALTER COLUMN currency SET NOT NULL;",
    table: 'orders',
    phases: ['expand', 'backfill', 'contract'],
    v1After: 'expand',
    v: ordersApp('never'),
    v1: ordersApp('always'),
  },
  {
    recipe: 'add column with a volatile default',
    setup: USERS,
    // md5(random()…): gen_random_uuid() is core only from PostgreSQL 13
    migration: 'ALTER TABLE users ADD COLUMN api_key uuid NOT NULL DEFAULT md5(random()::text)::uuid;',
    table: 'users',
    phases: ['expand', 'backfill', 'contract'],
    v1After: 'expand',
    v: usersApp('V'),
    v1: and(usersApp('V+1'), ({ id }) => [
      {
        sql: 'INSERT INTO users (id, email, api_key) VALUES ($1, $2, $3)',
        params: [id + 5, mail(id + 5), uuid(id + 5)],
        wrote: [id + 5, { api_key: uuid(id + 5) }],
      },
      { sql: 'SELECT id FROM users WHERE api_key = $1', params: [uuid(id + 5)], rows: 1 },
      // a row the new version inserts without the column has the default
      { sql: 'SELECT id FROM users WHERE id = $1 AND api_key IS NOT NULL', params: [id], rows: 1 },
    ]),
  },
  {
    recipe: 'drop column (NOT NULL, indexed)',
    setup: `${USERS}
      ALTER TABLE users ADD COLUMN legacy_code text;
      UPDATE users SET legacy_code = 'L' || id;
      ALTER TABLE users ALTER COLUMN legacy_code SET NOT NULL;
      CREATE INDEX users_legacy_code ON users (legacy_code);`,
    migration: 'ALTER TABLE users DROP COLUMN legacy_code;',
    table: 'users',
    phases: ['expand', 'contract'],
    v1After: 'expand',
    v: ({ id, row }) => [
      { sql: 'INSERT INTO users (id, email, legacy_code) VALUES ($1, $2, $3)', params: [id, mail(id), `L${id}`] },
      {
        sql: `INSERT INTO users (id, email, name, created_at, legacy_code) VALUES ($1, $2, 'V', now(), $3)`,
        params: [id + 1, mail(id + 1), `L${id + 1}`],
      },
      { sql: 'UPDATE users SET legacy_code = $2 WHERE id = $1', params: [row, `L${id + 2}`], rows: 1 },
      { sql: 'SELECT id FROM users WHERE legacy_code = $1', params: [`L${id + 2}`], rows: 1 },
      {
        sql: `INSERT INTO users (id, email, legacy_code) VALUES ($1, $2, 'L') ON CONFLICT (email) DO UPDATE SET name = 'V again'`,
        params: [id + 3, mail(id)],
        rows: 1,
      },
    ],
    v1: usersApp('V+1'),
  },
  {
    recipe: 'drop table',
    setup: `${USERS}
      CREATE TABLE login_audit (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), at timestamptz NOT NULL DEFAULT now());
      INSERT INTO login_audit (id, user_id) SELECT g, g FROM generate_series(1, 100) g;`,
    migration: 'DROP TABLE login_audit;',
    table: 'users',
    phases: ['contract'],
    v: and(usersApp('V'), ({ id, row }) => [
      { sql: 'INSERT INTO login_audit (id, user_id) VALUES ($1, $2)', params: [id, row] },
      { sql: 'SELECT at FROM login_audit WHERE user_id = $1 AND id = $2', params: [row, id], rows: 1 },
    ]),
    v1: usersApp('V+1'),
  },
  {
    recipe: 'rename table (behind an updatable view)',
    setup: `CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL DEFAULT 'anonymous', created_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO customers (id, email) SELECT g, 'user' || g || '@example.com' FROM generate_series(1, ${SETUP_ROWS}) g;`,
    migration: 'ALTER TABLE customers RENAME TO clients;',
    table: 'clients',
    phases: ['expand', 'contract'],
    v1After: 'expand',
    ...(() => {
      const app =
        (table: string, tag: string): Queries =>
        ({ id, row }) => [
          { sql: `INSERT INTO ${table} (id, email) VALUES ($1, $2)`, params: [id, mail(id)] },
          {
            sql: `INSERT INTO ${table} (id, email, name, created_at) VALUES ($1, $2, $3, now())`,
            params: [id + 1, mail(id + 1), tag],
          },
          { sql: `UPDATE ${table} SET email = $2 WHERE id = $1`, params: [row, mail(id + 2)], rows: 1 },
          { sql: `SELECT id, name FROM ${table} WHERE email = $1`, params: [mail(id + 2)], rows: 1 },
          {
            sql: `INSERT INTO ${table} (id, email) VALUES ($1, $2) ON CONFLICT (email) DO UPDATE SET name = $3`,
            params: [id + 3, mail(id), `${tag} again`],
            rows: 1,
          },
        ];
      return { v: app('customers', 'V'), v1: app('clients', 'V+1') };
    })(),
  },
  {
    recipe: 'create index (plain and unique on an expression)',
    setup: ORDERS,
    migration:
      'CREATE INDEX orders_customer_created ON orders (customer_id, created_at DESC);\nCREATE UNIQUE INDEX orders_reference_lower ON orders (lower(reference));',
    table: 'orders',
    phases: ['expand'],
    v1After: 'expand',
    v: ordersApp(),
    // the new version relies on the new unique index as the arbiter of its upsert
    v1: and(ordersApp(), ({ id }) => [
      {
        sql: `INSERT INTO orders (id, customer_id, reference) VALUES ($1, 1, $2) ON CONFLICT (lower(reference)) DO UPDATE SET total_cents = 1`,
        params: [id + 5, `r-${id}`],
        rows: 1,
      },
      {
        sql: 'SELECT id FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 1',
        params: [id % 500],
        rows: 1,
      },
    ]),
  },
  {
    recipe: 'drop index',
    setup: `${ORDERS}\nCREATE INDEX orders_status ON orders (status);`,
    migration: 'DROP INDEX orders_status;',
    table: 'orders',
    phases: ['contract'],
    v: ordersApp(),
    v1: ordersApp(),
  },
  {
    recipe: 'add foreign key and check',
    setup: `CREATE TABLE customers (id bigint PRIMARY KEY);
      INSERT INTO customers SELECT g FROM generate_series(0, 499) g;
      ${ORDERS}`,
    migration:
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\nALTER TABLE orders ADD CONSTRAINT orders_total_nonnegative CHECK (total_cents >= 0);',
    table: 'orders',
    phases: ['expand', 'backfill'],
    v1After: 'expand',
    v: ordersApp(),
    v1: and(ordersApp(), ({ id }) => [
      {
        sql: 'SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.reference = $1',
        params: [`R-${id}`],
        rows: 1,
      },
    ]),
  },
  {
    recipe: 'add primary key and unique constraint',
    setup: `CREATE TABLE tags (id bigint, slug text, name text NOT NULL);
      INSERT INTO tags SELECT g, 'tag-' || g, 'Tag ' || g FROM generate_series(1, ${SETUP_ROWS}) g;`,
    migration: 'ALTER TABLE tags ADD PRIMARY KEY (id);\nALTER TABLE tags ADD CONSTRAINT tags_slug_key UNIQUE (slug);',
    table: 'tags',
    phases: ['expand', 'contract'],
    v1After: 'expand',
    v: ({ id, row }) => [
      { sql: 'INSERT INTO tags (id, name) VALUES ($1, $2)', params: [id, `V ${id}`] },
      {
        sql: 'INSERT INTO tags (id, slug, name) VALUES ($1, $2, $3)',
        params: [id + 1, `tag-${id + 1}`, `V ${id + 1}`],
      },
      { sql: 'UPDATE tags SET name = $2 WHERE id = $1', params: [row, `V ${id + 2}`], rows: 1 },
      { sql: 'SELECT id FROM tags WHERE slug = $1', params: [`tag-${id + 1}`], rows: 1 },
      {
        sql: 'INSERT INTO tags (id, slug, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        params: [id + 3, `tag-${id + 3}`, 'V'],
        rows: 1,
      },
    ],
    // the new version's upserts take the new keys as their arbiters
    v1: ({ id, row }) => [
      { sql: 'INSERT INTO tags (id, name) VALUES ($1, $2)', params: [id, `V+1 ${id}`] },
      {
        sql: 'INSERT INTO tags (id, slug, name) VALUES ($1, $2, $3)',
        params: [id + 1, `tag-${id + 1}`, `V+1 ${id + 1}`],
      },
      { sql: 'UPDATE tags SET name = $2 WHERE id = $1', params: [row, `V+1 ${id + 2}`], rows: 1 },
      { sql: 'SELECT id FROM tags WHERE slug = $1', params: [`tag-${id + 1}`], rows: 1 },
      {
        sql: 'INSERT INTO tags (id, slug, name) VALUES ($1, $2, $3) ON CONFLICT (slug) DO UPDATE SET name = excluded.name',
        params: [id + 3, `tag-${id + 1}`, 'V+1 again'],
        rows: 1,
      },
      {
        sql: 'INSERT INTO tags (id, slug, name) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET name = excluded.name',
        params: [id, `tag-${id}`, 'V+1 again'],
        rows: 1,
      },
    ],
  },
  {
    recipe: 'data change (UPDATE and DELETE, batched)',
    setup: `${ORDERS}
      UPDATE orders SET status = 'canceled' WHERE id % 5 = 0;
      INSERT INTO orders (id, customer_id, reference, status) SELECT g, g % 500, 'R-' || g, 'draft' FROM generate_series(${SETUP_ROWS + 1}, ${SETUP_ROWS * 2}) g;`,
    migration:
      "UPDATE orders SET status = 'cancelled' WHERE status = 'canceled';\nDELETE FROM orders WHERE status = 'draft';",
    table: 'orders',
    phases: ['backfill'],
    v: ordersApp(),
    v1: and(ordersApp(), () => [
      { sql: `SELECT count(*) FROM orders WHERE status = 'cancelled'`, params: [], rows: 1 },
    ]),
    leftover: `SELECT 1 FROM orders WHERE status IN ('canceled', 'draft')`,
  },
  {
    recipe: 'enum: add value',
    setup: `CREATE TYPE shipment_status AS ENUM ('new', 'sent', 'delivered');
      CREATE TABLE shipments (id bigint PRIMARY KEY, tracking text NOT NULL UNIQUE, status shipment_status NOT NULL DEFAULT 'new', updated_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO shipments (id, tracking, status) SELECT g, 'T' || g, CASE WHEN g % 2 = 0 THEN 'sent' ELSE 'delivered' END::shipment_status FROM generate_series(1, ${SETUP_ROWS}) g;`,
    migration: "ALTER TYPE shipment_status ADD VALUE 'returned' AFTER 'delivered';",
    table: 'shipments',
    phases: ['expand'],
    v1After: 'expand',
    ...(() => {
      const app =
        (last: string): Queries =>
        ({ id, row }) => [
          { sql: 'INSERT INTO shipments (id, tracking) VALUES ($1, $2)', params: [id, `T${id}`] },
          {
            sql: 'INSERT INTO shipments (id, tracking, status, updated_at) VALUES ($1, $2, $3, now())',
            params: [id + 1, `T${id + 1}`, last],
          },
          { sql: 'UPDATE shipments SET status = $2, updated_at = now() WHERE id = $1', params: [row, last], rows: 1 },
          {
            sql: 'SELECT id FROM shipments WHERE status = $2 AND tracking = $1',
            params: [`T${id + 1}`, last],
            rows: 1,
          },
          {
            sql: `INSERT INTO shipments (id, tracking, status) VALUES ($1, $2, 'sent') ON CONFLICT (tracking) DO UPDATE SET status = excluded.status`,
            params: [id + 3, `T${id}`],
            rows: 1,
          },
        ];
      return { v: app('delivered'), v1: app('returned') };
    })(),
  },
  {
    recipe: 'enum: rename value',
    setup: `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
      CREATE TABLE posts (id bigint PRIMARY KEY, slug text NOT NULL UNIQUE, mood mood NOT NULL DEFAULT 'ok', body text NOT NULL DEFAULT '');
      INSERT INTO posts (id, slug, mood) SELECT g, 'p' || g, CASE WHEN g % 3 = 0 THEN 'sad' ELSE 'happy' END::mood FROM generate_series(1, ${SETUP_ROWS}) g;`,
    migration: "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';",
    table: 'posts',
    phases: ['expand', 'backfill', 'contract'],
    v1After: 'expand',
    // the old version's 'sad' rows may be moved to 'blue' at any moment: it cannot expect to find them by mood
    v: ({ id, row }) => [
      {
        sql: 'INSERT INTO posts (id, slug) VALUES ($1, $2)',
        params: [id, `p${id}`],
        wrote: [id, { slug: `p${id}`, mood: 'ok' }],
      },
      {
        sql: `INSERT INTO posts (id, slug, mood, body) VALUES ($1, $2, 'sad', $3)`,
        params: [id + 1, `p${id + 1}`, `V ${id}`],
        wrote: [id + 1, { body: `V ${id}` }],
      },
      {
        sql: `UPDATE posts SET mood = 'sad', body = $2 WHERE id = $1`,
        params: [row, `V ${id}`],
        rows: 1,
        wrote: [row, { body: `V ${id}` }],
      },
      { sql: `SELECT count(*) FROM posts WHERE mood = 'sad'`, params: [], rows: 1 },
      {
        sql: `INSERT INTO posts (id, slug, mood) VALUES ($1, $2, 'happy') ON CONFLICT (slug) DO UPDATE SET mood = excluded.mood`,
        params: [id + 3, `p${id}`],
        rows: 1,
        wrote: [id, { mood: 'happy' }],
      },
    ],
    v1: ({ id, row }) => [
      {
        sql: 'INSERT INTO posts (id, slug) VALUES ($1, $2)',
        params: [id, `p${id}`],
        wrote: [id, { slug: `p${id}`, mood: 'ok' }],
      },
      {
        sql: `INSERT INTO posts (id, slug, mood, body) VALUES ($1, $2, 'blue', $3)`,
        params: [id + 1, `p${id + 1}`, `V+1 ${id}`],
        wrote: [id + 1, { mood: 'blue', body: `V+1 ${id}` }],
      },
      {
        sql: `UPDATE posts SET mood = 'blue', body = $2 WHERE id = $1`,
        params: [row, `V+1 ${id}`],
        rows: 1,
        wrote: [row, { mood: 'blue', body: `V+1 ${id}` }],
      },
      { sql: `SELECT id FROM posts WHERE mood IN ('sad', 'blue') AND slug = $1`, params: [`p${id + 1}`], rows: 1 },
      {
        sql: `INSERT INTO posts (id, slug, mood) VALUES ($1, $2, 'blue') ON CONFLICT (slug) DO UPDATE SET mood = excluded.mood`,
        params: [id + 3, `p${id}`],
        rows: 1,
        wrote: [id, { mood: 'blue' }],
      },
    ],
    leftover: `SELECT 1 FROM posts WHERE mood = 'sad'`,
  },
  {
    recipe: 'additive (new table, nullable column, constant default, index on the new table, view)',
    setup: ORDERS,
    migration: `CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id), amount_cents int NOT NULL CHECK (amount_cents > 0), created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX refunds_order ON refunds (order_id);
ALTER TABLE orders ADD COLUMN note text;
ALTER TABLE orders ADD COLUMN priority int NOT NULL DEFAULT 0;
CREATE VIEW open_orders AS SELECT id, customer_id, reference, total_cents FROM orders WHERE status <> 'shipped';`,
    table: 'orders',
    phases: ['expand'],
    v1After: 'expand',
    v: ordersApp(),
    v1: and(ordersApp(), ({ id }) => [
      { sql: 'UPDATE orders SET note = $2, priority = 2 WHERE id = $1', params: [id, `note ${id}`], rows: 1 },
      { sql: 'INSERT INTO refunds (id, order_id, amount_cents) VALUES ($1, $1, 100)', params: [id], rows: 1 },
      { sql: 'SELECT id FROM open_orders WHERE reference = $1', params: [`R-${id}`], rows: 1 },
    ]),
  },
];

const matrix: MatrixRow[] = [];

/** The written (row, columns) pairs of both versions that the table does not hold; each with what it holds instead. */
async function lost(table: string, versions: AppVersion[]): Promise<unknown[]> {
  const pairs = versions.flatMap((v) => [...v.written]);
  expect(pairs.length, 'the versions wrote something to look for').toBeGreaterThan(0);
  const { rows } = await c.query(
    `SELECT w.key, w.value, (SELECT to_jsonb(t) FROM ${quoteIdent(table)} t WHERE t.id = w.key) AS found
       FROM unnest($1::bigint[], $2::jsonb[]) AS w (key, value)
      WHERE NOT EXISTS (SELECT FROM ${quoteIdent(table)} t WHERE t.id = w.key AND to_jsonb(t) @> w.value)`,
    [pairs.map(([key]) => key), pairs.map(([, value]) => JSON.stringify(value))],
  );
  return rows;
}

describe('the compatibility proof: V and V+1 through every phase of every recipe', () => {
  for (const k of CASES) {
    it(k.recipe, async () => {
      const v1From = k.v1After ? `after ${k.v1After}` : 'from the start';
      const has = (phase: PhaseName) => k.phases.includes(phase);
      const checks: MatrixRow['checks'] = {
        vAfterExpand: { applicable: has('expand'), passed: false },
        vAfterTrigger: { applicable: has('trigger'), passed: false },
        v1: { applicable: true, passed: false, detail: v1From },
        backfill: { applicable: has('backfill'), passed: false },
        end: { applicable: true, passed: false },
        rollback: { applicable: true, passed: false },
      };
      matrix.push({ recipe: k.recipe, phases: k.phases, checks });

      // the schema the migration itself gives
      await resetSchema(c);
      await runScript(c, k.setup);
      await runScript(c, k.migration);
      const expected = await catalog(c);

      await resetSchema(c);
      await runScript(c, k.setup);
      const files = tempTree({ 'migrations/001_setup.sql': k.setup, 'migrations/002_change.sql': k.migration });
      // the plan proves itself too (src/shadow/prove.ts): the same schema and rows, V's and V+1's generated queries at every phase
      const history = join(files, 'migrations');
      const file = join(files, 'migrations/002_change.sql');
      const planned = await plan({
        file,
        history,
        out: join(files, 'plan'),
        pgVersion: db.major,
        prove: (planDir) => prove({ planDir, file, start: { history } }),
      });
      expect(planned.proof).toMatchObject({ result: 'equal', differences: [] });
      const phases = planned.manifest.phases;
      expect(phases.map((p) => p.name)).toEqual(k.phases);
      const reversible = phases.filter((p) => p.down !== undefined).map((p) => p.name);
      checks.rollback = { applicable: reversible.length > 0, passed: false, detail: reversible.join(', ') };
      const rolledBack: PhaseName[] = [];

      const run = { planDir: planned.dir, databaseUrl: db.url };
      const v = new AppVersion('V', appV, 1_000_000, 0, k.v);
      const v1 = new AppVersion('V+1', appV1, 2_000_000, 1, k.v1);
      const works = async (app: AppVersion, when: string) =>
        expect({ [`${app.name} ${when}`]: await app.round() }).toEqual({ [`${app.name} ${when}`]: [] });

      // V's queries are sound to begin with: a failure later is the plan's
      await works(v, 'before the first phase');
      let v1Deployed = k.v1After === undefined;
      // V+1's start-up check lets it start exactly from the phase RECIPES.md deploys it after
      const verifies = async (when: string) =>
        expect({ [`V+1 verify ${when}`]: (await verify({ plansDir: files, databaseUrl: db.url })).compatible }).toEqual(
          { [`V+1 verify ${when}`]: v1Deployed },
        );
      await verifies('before the first phase');
      if (v1Deployed) await works(v1, 'before the first phase');
      for (const phase of phases) {
        const before = await catalog(c);
        if (phase.name === 'contract') {
          // contract runs once no V is left (RECIPES.md): V+1 has been deployed and has worked up to here
          expect(v1Deployed, 'V+1 is deployed before contract').toBe(true);
          checks.v1.passed = true;
        }
        if (phase.name === 'backfill') {
          expect(v1Deployed, 'both versions run during backfill').toBe(true);
          // how many rounds each version had run at every batch: they must go on between the batches
          const atBatch: number[][] = [];
          const onEvent = (e: RunEvent) => void (e.type === 'batch' && atBatch.push([v.roundsRun, v1.roundsRun]));
          const { failures } = await whileRunning(
            () => runPhase({ ...run, phase: 'backfill', ...BACKFILL, onEvent }),
            [v, v1],
          );
          expect(failures).toEqual([]);
          if (phase.backfills?.length) {
            expect(atBatch.length).toBeGreaterThan(phase.backfills.length);
            expect({
              'rounds between the first and the last batch': atBatch.at(-1)!.map((n, i) => n > atBatch[0]![i]!),
            }).toEqual({ 'rounds between the first and the last batch': [true, true] });
          }
          expect(await lost(k.table, [v, v1])).toEqual([]);
        } else {
          await runPhase({ ...run, phase: phase.name });
        }
        if (phase.down) {
          await rollbackPhase({ ...run, phase: phase.name });
          expect({ [`after rolling back ${phase.name}`]: await catalog(c) }).toEqual({
            [`after rolling back ${phase.name}`]: before,
          });
          await works(v, `after rolling back ${phase.name}`);
          await runPhase({ ...run, phase: phase.name });
          rolledBack.push(phase.name);
          checks.rollback.passed = rolledBack.length === reversible.length;
        }
        if (phase.name !== 'contract') await works(v, `after ${phase.name}`);
        if (phase.name === k.v1After) v1Deployed = true;
        await verifies(`after ${phase.name}`);
        if (v1Deployed) await works(v1, `after ${phase.name}`);
        if (phase.name === 'expand') checks.vAfterExpand.passed = true;
        if (phase.name === 'trigger') checks.vAfterTrigger.passed = true;
        if (phase.name === 'backfill') checks.backfill.passed = true;
      }
      if (!has('contract')) checks.v1.passed = v1Deployed;
      expect(await catalog(c)).toEqual(expected);
      if (k.leftover) expect((await c.query(k.leftover)).rows).toEqual([]);
      checks.end.passed = true;
    }, 60_000);
  }
});

describe('the compatibility matrix in README.md', () => {
  const readme = fileURLToPath(new URL('../../README.md', import.meta.url));

  it('replaces only what stands between its markers', () => {
    const text = 'intro\n<!-- compat-matrix:start -->\nold\n<!-- compat-matrix:end -->\noutro\n';
    expect(withMatrix(text, '| a |')).toBe(
      'intro\n<!-- compat-matrix:start -->\n| a |\n<!-- compat-matrix:end -->\noutro\n',
    );
    expect(matrixIn(withMatrix(text, '| a |'))).toBe('| a |');
    expect(() => withMatrix('no markers', 'x')).toThrow(/compat-matrix:start/);
  });

  it('is the one this run produced', () => {
    expect(
      matrix.map((r) => r.recipe),
      'run the whole file: the matrix has a row per recipe',
    ).toEqual(CASES.map((k) => k.recipe));
    const table = renderMatrix(matrix);
    const text = readFileSync(readme, 'utf8');
    if (process.env.PGPHASE_WRITE_MATRIX === '1') writeFileSync(readme, withMatrix(text, table));
    else
      expect(matrixIn(text), 'README.md is stale: run `PGPHASE_WRITE_MATRIX=1 npx vitest run test/compat`').toBe(table);
  });
});
