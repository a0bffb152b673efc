#!/usr/bin/env node
// The benchmark corpus: DIRS application migration histories (plain layout) generated from a
// seeded PRNG, so every run lints the same bytes. Each history starts with CREATE TABLEs and
// evolves with the statement mix in MIX; a small model of the schema keeps every statement
// valid PostgreSQL 15 against the tables created earlier in its directory (bench/check-corpus.sh
// applies the histories to a scratch database). Run directly to (re)write bench/.corpus/.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '.corpus');
const DIRS = 40;

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TABLES =
  'users accounts organizations projects tasks invoices orders order_items products payments subscriptions plans events comments posts tags sessions api_keys webhooks audit_logs notifications teams memberships addresses shipments carts refunds coupons messages channels documents attachments reviews categories vendors warehouses'.split(
    ' ',
  );
const COLUMNS = [
  ['email', 'text'],
  ['name', 'varchar(255)'],
  ['title', 'varchar(255)'],
  ['status', 'varchar(64)'],
  ['description', 'text'],
  ['amount_cents', 'integer'],
  ['currency', 'varchar(64)'],
  ['external_id', 'varchar(64)'],
  ['slug', 'text'],
  ['metadata', 'jsonb'],
  ['settings', 'jsonb'],
  ['is_active', 'boolean'],
  ['priority', 'integer'],
  ['position', 'integer'],
  ['locale', 'varchar(64)'],
  ['phone', 'varchar(64)'],
  ['notes', 'text'],
  ['score', 'numeric(12,2)'],
  ['due_at', 'timestamp'],
  ['starts_at', 'timestamptz'],
  ['ends_at', 'timestamptz'],
  ['deleted_at', 'timestamptz'],
  ['archived_at', 'timestamp'],
  ['ip_address', 'inet'],
  ['version', 'bigint'],
  ['birth_date', 'date'],
  ['token', 'uuid'],
  ['counter', 'bigint'],
  ['label', 'varchar(64)'],
  ['source', 'text'],
];
const WIDER = {
  integer: 'bigint',
  'varchar(64)': 'varchar(255)',
  'varchar(255)': 'text',
  timestamp: 'timestamptz',
  'numeric(12,2)': 'numeric(16,2)',
};
const DEFAULTS = {
  text: "''",
  'varchar(64)': "'unknown'",
  'varchar(255)': "''",
  integer: '0',
  bigint: '0',
  'numeric(12,2)': '0',
  'numeric(16,2)': '0',
  boolean: 'false',
  timestamptz: 'now()',
  timestamp: 'now()',
  jsonb: "'{}'::jsonb",
  date: 'CURRENT_DATE',
  uuid: 'gen_random_uuid()',
};
// Statement kinds and their share (%) of the statements a generated history holds.
const MIX = {
  'add-column': 20,
  index: 17,
  'foreign-key': 11,
  'create-table': 12,
  drop: 8,
  rename: 4,
  'alter-column': 10,
  data: 7,
  enum: 4,
  function: 4,
  other: 1,
};

function literal(col, k) {
  const t = col.type;
  if (col.enumValues) return `'${col.enumValues[0]}'`;
  if (t === 'integer' || t === 'bigint') return String(k);
  if (t.startsWith('numeric')) return `${k}.50`;
  if (t === 'boolean') return k % 2 ? 'true' : 'false';
  if (t.startsWith('timestamp') || t === 'date')
    return `'2024-${String(1 + (k % 12)).padStart(2, '0')}-${String(1 + (k % 28)).padStart(2, '0')}${t === 'date' ? '' : ' 12:00:00'}'`;
  if (t === 'jsonb') return `'{"n": ${k}}'`;
  if (t === 'uuid') return `'00000000-0000-4000-8000-${k.toString(16).padStart(12, '0')}'`;
  if (t === 'inet') return `'10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}'`;
  return `'${col.name.slice(0, 3)}-${k}'`; // text and varchar: unique per history
}

/** One application's migration history: a list of files, each a list of [kind, sql]. */
function generateHistory(rand, fileCount) {
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const chance = (p) => rand() < p;
  const names = new Set(); // index, constraint and type names share one namespace here
  let k = 0;
  const fresh = (base) => {
    let name = base.slice(0, 55); // PostgreSQL truncates names to 63 bytes; keep room for a suffix
    while (names.has(name)) name = `${base.slice(0, 55)}_${++k}`;
    names.add(name);
    return name;
  };
  const colName = (t, base) => (t.cols.has(base) ? `${base}_${++k}` : base);
  const tables = [],
    indexes = [],
    enums = [];
  let functionMade = false,
    inTxn = false,
    focus;
  // most statements of a file work on the table the migration is about
  const pickTable = (list) => (list.includes(focus) && chance(0.8) ? focus : pick(list));
  const cols = (t, ok = () => true) => [...t.cols.values()].filter((c) => c.name !== 'id' && ok(c));
  const tableWith = (ok) => pickTable(tables.filter((t) => cols(t, ok).length > 0));
  const newColumn = (t) => {
    const free = COLUMNS.filter(([n]) => !t.cols.has(n));
    const [name, type] = free.length ? pick(free) : [`extra_${++k}`, 'text'];
    return { name, type, notNull: false, uniqueOk: !/bool|time|date|json/.test(type), mayBeNull: t.rows > 0 };
  };
  const addCol = (t, c) => {
    t.cols.set(c.name, c);
    return c;
  };
  const singular = (n) =>
    n
      .replace(/ies$/, 'y')
      .replace(/(ss|x)es$/, '$1')
      .replace(/s$/, '');
  const withDefault = (c) => c.type in DEFAULTS && !/_at$/.test(c.name);
  const dropIndexesOn = (t, col) =>
    indexes.splice(0, indexes.length, ...indexes.filter((i) => i.table !== t || (col && !i.cols.includes(col))));

  const gen = {
    'create-table'() {
      const base = TABLES.find((n) => !names.has(n)) ?? pick(TABLES);
      const t = {
        name: fresh(base),
        base,
        pk: chance(0.25) ? 'uuid' : 'bigint',
        cols: new Map(),
        rows: 0,
        inbound: 0,
        insertable: true,
        triggers: 0,
      };
      const lines = [
        t.pk === 'uuid'
          ? 'id uuid PRIMARY KEY DEFAULT gen_random_uuid()'
          : pick([
              'id bigserial PRIMARY KEY',
              'id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
              'id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY',
            ]),
      ];
      addCol(t, { name: 'id' });
      if (tables.length && chance(0.6)) {
        const parent = pick(tables),
          notNull = chance(0.4);
        const c = addCol(t, { name: `${singular(parent.base)}_id`, type: parent.pk, fk: parent, constrained: true });
        lines.push(
          `${c.name} ${c.type}${notNull ? ' NOT NULL' : ''} REFERENCES ${parent.name} (id)${pick(['', ' ON DELETE CASCADE', ' ON DELETE SET NULL'].slice(0, notNull ? 2 : 3))}`,
        );
        parent.inbound++;
        t.insertable = !notNull;
      }
      for (let i = 2 + Math.floor(rand() * 5); i > 0; i--) {
        const c = addCol(t, newColumn(t));
        c.notNull = chance(0.4);
        const def = withDefault(c) && chance(c.notNull ? 0.5 : 0.2);
        if (def) c.uniqueOk = false;
        lines.push(`${c.name} ${c.type}${c.notNull ? ' NOT NULL' : ''}${def ? ` DEFAULT ${DEFAULTS[c.type]}` : ''}`);
      }
      lines.push('created_at timestamptz NOT NULL DEFAULT now()');
      addCol(t, { name: 'created_at', type: 'timestamptz', notNull: true, locked: true });
      if (chance(0.6)) {
        lines.push('updated_at timestamptz NOT NULL DEFAULT now()');
        addCol(t, { name: 'updated_at', type: 'timestamptz', notNull: true });
      }
      tables.push(t);
      focus = t;
      return [
        [
          'create-table',
          `CREATE TABLE ${chance(0.1) ? 'IF NOT EXISTS ' : ''}${t.name} (\n  ${lines.join(',\n  ')}\n);`,
        ],
      ];
    },
    'add-column'() {
      const t = pickTable(tables);
      if (chance(0.3)) {
        const parent = pick(tables);
        const c = addCol(t, { name: colName(t, `${singular(parent.base)}_id`), type: parent.pk, fk: parent });
        return [['add-column', `ALTER TABLE ${t.name} ADD COLUMN ${c.name} ${c.type};`]];
      }
      const c = newColumn(t);
      const e = enums.length && chance(0.15) ? pick(enums) : undefined;
      if (e) Object.assign(c, { name: colName(t, e.kind), type: e.name, enumValues: e.values, uniqueOk: false });
      let sql = `ALTER TABLE ${t.name} ADD COLUMN ${chance(0.1) ? 'IF NOT EXISTS ' : ''}${c.name} ${c.type}`;
      const def = c.enumValues ? `'${c.enumValues[0]}'` : withDefault(c) && DEFAULTS[c.type];
      if (def && chance(0.5)) {
        c.notNull = chance(0.6);
        Object.assign(c, { uniqueOk: false, mayBeNull: false });
        sql += `${c.notNull ? ' NOT NULL' : ''} DEFAULT ${def}`;
      }
      addCol(t, c);
      return [['add-column', `${sql};`]];
    },
    index() {
      const t = tableWith((c) => !c.fk);
      if (!t) return null;
      const c = pick(cols(t, (c) => !c.fk));
      const unique = c.uniqueOk && !c.enumValues && chance(0.35);
      const other =
        !unique && c.type !== 'jsonb' && chance(0.2) ? pick(cols(t, (o) => o !== c && o.type !== 'jsonb')) : undefined;
      const partial = cols(t, (o) => o.name === 'deleted_at' || (!o.notNull && o !== c)).at(0);
      const where = partial && chance(0.25) ? partial : undefined;
      const concurrently = !inTxn && chance(0.35);
      const method = c.type === 'jsonb' ? ' USING gin' : '';
      const key = other ? `${c.name}, ${other.name}` : c.type === 'text' && chance(0.2) ? `lower(${c.name})` : c.name;
      const name = fresh(`${t.name}_${c.name}${other ? `_${other.name}` : ''}_${unique ? 'key' : 'idx'}`);
      indexes.push({ name, table: t, cols: [c.name, other?.name, where?.name].filter(Boolean) });
      if (unique) c.unique = true;
      return [
        [
          'index',
          `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${concurrently ? 'CONCURRENTLY ' : ''}${chance(0.1) ? 'IF NOT EXISTS ' : ''}${name} ON ${t.name}${method} (${key})${where ? ` WHERE ${where.name} IS NULL` : ''};`,
        ],
      ];
    },
    'foreign-key'() {
      const t = tableWith((c) => c.fk && !c.constrained && tables.includes(c.fk));
      if (!t) {
        const parent = pick(tables),
          child = pick(tables);
        const name = colName(child, `${singular(parent.base)}_id`);
        addCol(child, { name, type: parent.pk, fk: parent, constrained: true });
        parent.inbound++;
        return [
          [
            'foreign-key',
            `ALTER TABLE ${child.name} ADD COLUMN ${name} ${parent.pk} REFERENCES ${parent.name} (id) ON DELETE SET NULL;`,
          ],
        ];
      }
      const c = pick(cols(t, (c) => c.fk && !c.constrained && tables.includes(c.fk)));
      c.constrained = true;
      c.fk.inbound++;
      const name = fresh(`fk_${t.name}_${c.name}`);
      const add = `ALTER TABLE ${t.name} ADD CONSTRAINT ${name} FOREIGN KEY (${c.name}) REFERENCES ${c.fk.name} (id)${pick(['', ' ON DELETE CASCADE', ' ON DELETE RESTRICT'])}`;
      if (!chance(0.4)) return [['foreign-key', `${add};`]];
      return [
        ['foreign-key', `${add} NOT VALID;`],
        ['foreign-key', `ALTER TABLE ${t.name} VALIDATE CONSTRAINT ${name};`],
      ];
    },
    drop() {
      const r = rand();
      if (r < 0.35 && indexes.length) {
        const i = indexes.splice(Math.floor(rand() * indexes.length), 1)[0];
        return [
          [
            'drop',
            `DROP INDEX ${!inTxn && chance(0.4) ? 'CONCURRENTLY ' : ''}${chance(0.3) ? 'IF EXISTS ' : ''}${i.name};`,
          ],
        ];
      }
      const leaf = tables.filter((t) => t.inbound === 0);
      if (r > 0.85 && tables.length > 4 && leaf.length) {
        const t = pick(leaf);
        tables.splice(tables.indexOf(t), 1);
        for (const c of cols(t, (c) => c.fk && c.constrained)) c.fk.inbound--;
        dropIndexesOn(t);
        return [['drop', `DROP TABLE ${chance(0.5) ? 'IF EXISTS ' : ''}${t.name};`]];
      }
      const droppable = (c) => !c.locked && c.name !== 'updated_at';
      const t = tableWith(droppable);
      if (!t) return null;
      const c = pick(cols(t, droppable));
      t.cols.delete(c.name);
      if (c.constrained && tables.includes(c.fk)) c.fk.inbound--;
      dropIndexesOn(t, c.name);
      return [['drop', `ALTER TABLE ${t.name} DROP COLUMN ${chance(0.3) ? 'IF EXISTS ' : ''}${c.name};`]];
    },
    rename() {
      if (chance(0.35)) {
        const t = pickTable(tables),
          name = fresh(`${t.base}_${pick(['legacy', 'old', 'v2', 'archive'])}`);
        const sql = `ALTER TABLE ${t.name} RENAME TO ${name};`;
        t.name = name;
        return [['rename', sql]];
      }
      const t = tableWith((c) => !c.locked);
      if (!t) return null;
      const c = pick(cols(t, (c) => !c.locked));
      const to = colName(t, `${c.name.replace(/(_old|_\d+)+$/, '')}_old`);
      for (const i of indexes) if (i.table === t) i.cols = i.cols.map((n) => (n === c.name ? to : n));
      t.cols.delete(c.name);
      const sql = `ALTER TABLE ${t.name} RENAME COLUMN ${c.name} TO ${to};`;
      t.cols.set(to, Object.assign(c, { name: to }));
      return [['rename', sql]];
    },
    'alter-column'() {
      const r = rand();
      const ok =
        r < 0.35
          ? (c) => WIDER[c.type] && !c.locked && !c.fk
          : r < 0.7
            ? (c) => !c.notNull && !c.fk && !c.unique && !c.enumValues
            : (c) => withDefault(c) && !c.fk;
      const t = tableWith(ok);
      if (!t) return null;
      const c = pick(cols(t, ok));
      const alter = `ALTER TABLE ${t.name} ALTER COLUMN ${c.name}`;
      if (r < 0.35)
        return [
          [
            'alter-column',
            `${alter} TYPE ${(c.type = WIDER[c.type])}${chance(0.3) ? ` USING ${c.name}::${c.type}` : ''};`,
          ],
        ];
      if (r < 0.7) {
        const backfill = c.mayBeNull
          ? [['data', `UPDATE ${t.name} SET ${c.name} = ${literal(c, ++k)} WHERE ${c.name} IS NULL;`]]
          : [];
        Object.assign(c, { notNull: true, mayBeNull: false, uniqueOk: false });
        return [...backfill, ['alter-column', `${alter} SET NOT NULL;`]];
      }
      c.uniqueOk = false;
      return [['alter-column', chance(0.8) ? `${alter} SET DEFAULT ${DEFAULTS[c.type]};` : `${alter} DROP DEFAULT;`]];
    },
    data() {
      const ins = tables.filter((t) => t.insertable);
      if (chance(0.55) && ins.length) {
        const t = pick(ins),
          list = cols(t, (c) => !c.fk);
        const rows = Array.from(
          { length: 1 + Math.floor(rand() * 3) },
          () => `(${list.map((c) => literal(c, ++k)).join(', ')})`,
        );
        t.rows += rows.length;
        return [
          ['data', `INSERT INTO ${t.name} (${list.map((c) => c.name).join(', ')})\nVALUES ${rows.join(',\n       ')};`],
        ];
      }
      const settable = (c) => !c.fk && !c.unique && !c.enumValues && !c.locked;
      const t = tableWith(settable);
      if (!t) return null;
      const c = pick(cols(t, settable));
      c.uniqueOk = false;
      if (chance(0.2)) return [['data', `DELETE FROM ${t.name} WHERE created_at < '2020-01-01';`]];
      return [
        [
          'data',
          `UPDATE ${t.name} SET ${c.name} = ${literal(c, ++k)} WHERE ${c.name} IS NULL OR created_at < '2023-01-01';`,
        ],
      ];
    },
    enum() {
      if (!enums.length || chance(0.4)) {
        const values = ['pending', 'active', 'suspended', 'closed', 'archived'].slice(0, 3 + Math.floor(rand() * 3));
        const kind = pick(['status', 'kind', 'role', 'state']);
        const e = { name: fresh(`${singular(pick(TABLES))}_${kind}`), kind, values };
        enums.push(e);
        return [['enum', `CREATE TYPE ${e.name} AS ENUM (${values.map((v) => `'${v}'`).join(', ')});`]];
      }
      const e = pick(enums),
        v = `value_${++k}`;
      const where = chance(0.3) ? ` BEFORE '${e.values[0]}'` : chance(0.3) ? ` AFTER '${e.values[1]}'` : '';
      e.values.push(v);
      return [['enum', `ALTER TYPE ${e.name} ADD VALUE ${chance(0.3) ? 'IF NOT EXISTS ' : ''}'${v}'${where};`]];
    },
    function() {
      const out = [];
      if (!functionMade || chance(0.15)) {
        functionMade = true;
        out.push([
          'function',
          `CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger\nLANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$$;`,
        ]);
        if (chance(0.5)) return out;
      }
      const t = pick(tables.filter((t) => t.cols.has('updated_at') && !t.triggers));
      if (!t)
        return [
          ...out,
          [
            'function',
            `CREATE OR REPLACE FUNCTION normalize_${++k}(value text) RETURNS text\nLANGUAGE sql IMMUTABLE AS $$ SELECT lower(trim(value)) $$;`,
          ],
        ];
      t.triggers++;
      t.cols.get('updated_at').locked = true;
      return [
        ...out,
        [
          'function',
          `CREATE TRIGGER ${fresh(`${t.name}_set_updated_at`)}\nBEFORE UPDATE ON ${t.name}\nFOR EACH ROW EXECUTE FUNCTION set_updated_at();`,
        ],
      ];
    },
    other() {
      const t = pickTable(tables),
        c = pick(cols(t));
      return [
        [
          'other',
          c && chance(0.5)
            ? `COMMENT ON COLUMN ${t.name}.${c.name} IS 'The ${c.name.replace(/_/g, ' ')}; don''t rely on it';`
            : `COMMENT ON TABLE ${t.name} IS 'Owned by the ${pick(TABLES)} team';`,
        ],
      ];
    },
  };

  const kinds = Object.keys(MIX),
    total = Object.values(MIX).reduce((a, b) => a + b);
  const weighted = () => {
    let r = rand() * total;
    return kinds.find((kd) => (r -= MIX[kd]) < 0) ?? 'other';
  };
  const files = [];
  for (let f = 0; f < fileCount; f++) {
    const statements = [];
    focus = pick(tables);
    inTxn = f > 0 && chance(0.06);
    if (f > 0 && chance(0.05)) statements.push(['other', `SET lock_timeout = '${pick(['2s', '5s', '10s'])}';`]);
    if (inTxn) statements.push(['other', 'BEGIN;']);
    const size = f === 0 ? 3 + Math.floor(rand() * 4) : pick([1, 1, 2, 3, 4, 4, 5, 6, 7, 8, 9, 12, 15]);
    for (let s = 0; s < size; s++)
      statements.push(...((f === 0 ? gen['create-table']() : gen[weighted()]()) ?? gen['add-column']()));
    if (inTxn) statements.push(['other', 'COMMIT;']);
    files.push(statements);
  }
  return files;
}

/** Writes the corpus (replacing an old one) and returns its size and the directories. */
export function writeCorpus(root = CORPUS) {
  rmSync(root, { recursive: true, force: true });
  const size = { files: 0, statements: 0, bytes: 0, mix: {} };
  const dirs = [];
  for (let d = 0; d < DIRS; d++) {
    const rand = mulberry32(0x9e3779b9 ^ (d * 7919));
    const dir = join(root, `app-${String(d + 1).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    dirs.push(dir);
    const files = generateHistory(rand, 40 + Math.floor(rand() * 30));
    files.forEach((statements, f) => {
      const [kind, first] = statements.find(([kd]) => kd !== 'other') ?? statements[0];
      const slug =
        `${kind}_${/(?:TABLE|ON|INTO|TYPE|INDEX)(?: IF (?:NOT )?EXISTS| CONCURRENTLY)* ([a-z]\w*)/.exec(first)?.[1] ?? 'schema'}`.replace(
          /-/g,
          '_',
        );
      const stamp = new Date(Date.UTC(2023, 0, 1) + f * 3 * 86_400_000 + d * 60_000)
        .toISOString()
        .replace(/\D/g, '')
        .slice(0, 14);
      const name = `${d % 2 ? stamp : String(f + 1).padStart(4, '0')}_${slug}.sql`;
      const text = `-- ${slug.replace(/_/g, ' ')}\n\n${statements.map(([, sql]) => sql).join('\n\n')}\n`;
      writeFileSync(join(dir, name), text);
      size.files++;
      size.statements += statements.length;
      size.bytes += Buffer.byteLength(text);
      for (const [kd] of statements) size.mix[kd] = (size.mix[kd] ?? 0) + 1;
    });
  }
  return { ...size, dirs };
}

/** "add-column 19.3%, index 16.9%, …": the share of each statement kind. */
export function describeMix(corpus) {
  return Object.entries(corpus.mix)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind} ${((100 * n) / corpus.statements).toFixed(1)}%`)
    .join(', ');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const corpus = writeCorpus();
  console.log(
    `${CORPUS}: ${corpus.dirs.length} dirs, ${corpus.files} files, ${corpus.statements} statements, ${corpus.bytes} bytes`,
  );
  console.log(`mix: ${describeMix(corpus)}`);
}
