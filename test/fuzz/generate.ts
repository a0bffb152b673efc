// Inputs for the fuzz test of `pgphase lint`: a seeded random source, real-looking
// migrations (the fixtures and generated statements of every kind the rules look at), and
// mutations that break them the way files break in practice (cut off, corrupted, binary,
// wrongly encoded, enormous) or the way a hostile file would (nesting, huge identifiers).
// Everything is a Buffer: half of the interesting inputs are not valid UTF-8.

/** A seeded random source (mulberry32): the same seed gives the same cases. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function rng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    pick: (items) => items[int(items.length)]!,
    chance: (p) => next() < p,
  };
}

const TABLES = [
  'users',
  'orders',
  'products',
  'app.accounts',
  '"Order Items"',
  'public.payments',
  'café',
  '"ユーザー"',
];
const COLUMNS = ['id', 'email', 'user_id', 'status', 'total_cents', 'created_at', '"Full Name"', 'naïve', 'data'];
const TYPES = [
  'int',
  'bigint',
  'text',
  'varchar(20)',
  'char(3)',
  'timestamp',
  'timestamptz',
  'json',
  'jsonb',
  'numeric(10,2)',
  'serial',
  'uuid',
  'mood',
  'int[]',
];
const DEFAULTS = [
  '0',
  "'pending'",
  'now()',
  'gen_random_uuid()',
  'random()',
  "'{}'::jsonb",
  'NULL',
  "nextval('s')",
  '(SELECT 1)',
];

/** One statement of a kind the rules care about (no trailing semicolon). */
const STATEMENTS: ReadonlyArray<(r: Rng) => string> = [
  (r) =>
    `CREATE TABLE ${r.pick(TABLES)} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ${r.pick(COLUMNS)} ${r.pick(TYPES)} NOT NULL DEFAULT ${r.pick(DEFAULTS)}, user_id bigint REFERENCES users (id) ON DELETE CASCADE, CHECK (id > 0))`,
  (r) => `CREATE TABLE IF NOT EXISTS ${r.pick(TABLES)} (LIKE users INCLUDING ALL) PARTITION BY RANGE (created_at)`,
  (r) =>
    `ALTER TABLE ${r.pick(TABLES)} ADD COLUMN ${r.chance(0.5) ? 'IF NOT EXISTS ' : ''}${r.pick(COLUMNS)} ${r.pick(TYPES)}${r.chance(0.5) ? ' NOT NULL' : ''}${r.chance(0.5) ? ` DEFAULT ${r.pick(DEFAULTS)}` : ''}`,
  (r) =>
    `ALTER TABLE ${r.pick(TABLES)} ADD CONSTRAINT ${r.pick(COLUMNS)}_fk FOREIGN KEY (user_id) REFERENCES ${r.pick(TABLES)} (id)${r.chance(0.5) ? ' NOT VALID' : ''}`,
  (r) => `ALTER TABLE ${r.pick(TABLES)} VALIDATE CONSTRAINT ${r.pick(COLUMNS)}_fk`,
  (r) =>
    `ALTER TABLE ${r.pick(TABLES)} ADD CONSTRAINT c CHECK (${r.pick(COLUMNS)} IS NOT NULL)${r.chance(0.5) ? ' NOT VALID' : ''}`,
  (r) =>
    `ALTER TABLE ${r.pick(TABLES)} ADD CONSTRAINT u UNIQUE ${r.chance(0.5) ? 'USING INDEX i' : `(${r.pick(COLUMNS)})`}`,
  (r) => `ALTER TABLE ${r.pick(TABLES)} ADD CONSTRAINT x EXCLUDE USING gist (${r.pick(COLUMNS)} WITH &&)`,
  (r) => `ALTER TABLE ${r.pick(TABLES)} ADD PRIMARY KEY (${r.pick(COLUMNS)})`,
  (r) =>
    `CREATE ${r.chance(0.3) ? 'UNIQUE ' : ''}INDEX ${r.chance(0.5) ? 'CONCURRENTLY ' : ''}${r.chance(0.3) ? 'IF NOT EXISTS ' : ''}idx_${r.int(100)} ON ${r.pick(TABLES)} ${r.chance(0.3) ? 'USING gin ' : ''}(${r.pick(COLUMNS)}, lower(${r.pick(COLUMNS)}))${r.chance(0.3) ? ' WHERE deleted_at IS NULL' : ''}`,
  (r) => `DROP INDEX ${r.chance(0.5) ? 'CONCURRENTLY ' : ''}${r.chance(0.5) ? 'IF EXISTS ' : ''}idx_${r.int(100)}`,
  (r) => `DROP TABLE ${r.chance(0.5) ? 'IF EXISTS ' : ''}${r.pick(TABLES)}${r.chance(0.3) ? ' CASCADE' : ''}`,
  (r) => `ALTER TABLE ${r.pick(TABLES)} DROP COLUMN ${r.pick(COLUMNS)}${r.chance(0.3) ? ' CASCADE' : ''}`,
  (r) => `ALTER TABLE ${r.pick(TABLES)} DROP CONSTRAINT ${r.chance(0.5) ? 'IF EXISTS ' : ''}c`,
  (r) => `ALTER TABLE ${r.pick(TABLES)} RENAME COLUMN ${r.pick(COLUMNS)} TO ${r.pick(COLUMNS)}`,
  (r) => `ALTER TABLE ${r.pick(TABLES)} RENAME TO ${r.pick(TABLES).replace(/^\w+\./, '')}`,
  (r) =>
    `ALTER ${r.pick(['VIEW', 'SEQUENCE', 'FUNCTION f()', 'INDEX', 'SCHEMA'])} ${r.pick(['v', 's', 'i', 'app'])} RENAME TO x${r.int(10)}`,
  (r) =>
    `ALTER TABLE ${r.pick(TABLES)} ALTER COLUMN ${r.pick(COLUMNS)} TYPE ${r.pick(TYPES)}${r.chance(0.3) ? ` USING ${r.pick(COLUMNS)}::${r.pick(TYPES)}` : ''}`,
  (r) =>
    `ALTER TABLE ${r.pick(TABLES)} ALTER COLUMN ${r.pick(COLUMNS)} ${r.pick(['SET NOT NULL', 'DROP NOT NULL', 'DROP DEFAULT', `SET DEFAULT ${r.pick(DEFAULTS)}`])}`,
  (r) =>
    `UPDATE ${r.pick(TABLES)} SET ${r.pick(COLUMNS)} = ${r.pick(DEFAULTS)}${r.chance(0.5) ? ` WHERE id BETWEEN ${r.int(1000)} AND ${r.int(100000)}` : ''}`,
  (r) => `DELETE FROM ${r.pick(TABLES)}${r.chance(0.5) ? " WHERE created_at < now() - interval '1 year'" : ''}`,
  (r) =>
    `INSERT INTO ${r.pick(TABLES)} (id, ${r.pick(COLUMNS)}) VALUES (1, 'a''b'), (2, E'c\\'d'), (3, $q$e;f$q$) ON CONFLICT DO NOTHING`,
  (r) => `WITH moved AS (DELETE FROM ${r.pick(TABLES)} RETURNING *) INSERT INTO archive SELECT * FROM moved`,
  () => `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`,
  (r) =>
    `ALTER TYPE mood ${r.pick(["ADD VALUE 'meh'", "ADD VALUE IF NOT EXISTS 'meh' BEFORE 'ok'", "RENAME VALUE 'sad' TO 'blue'"])}`,
  () => `CREATE DOMAIN positive AS int CHECK (VALUE > 0)`,
  () =>
    `CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at := now(); -- not a comment of the file\n  RETURN NEW;\nEND;\n$$`,
  () => `CREATE FUNCTION add(a int, b int) RETURNS int AS $body$ SELECT a + b; $body$ LANGUAGE sql IMMUTABLE`,
  () =>
    `DO $do$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN\n    CREATE TYPE mood AS ENUM ('a');\n  END IF;\nEND\n$do$`,
  (r) => `CREATE TRIGGER t BEFORE UPDATE ON ${r.pick(TABLES)} FOR EACH ROW EXECUTE FUNCTION set_updated_at()`,
  (r) => `COMMENT ON ${r.pick(['TABLE users', 'COLUMN users.email', 'INDEX idx_1'])} IS 'it''s /* not */ -- a comment'`,
  (r) => `COPY ${r.pick(TABLES)} (id, email) FROM '/tmp/users.csv' WITH (FORMAT csv, HEADER true)`,
  // psql's inline data: not SQL, so the parser rejects the file
  () => `COPY users (id, email) FROM stdin;\n1\ta@example.com\n2\tb@example.com\n\\.`,
  (r) => r.pick(['BEGIN', 'COMMIT', 'ROLLBACK', 'START TRANSACTION', 'SAVEPOINT s', 'RELEASE SAVEPOINT s']),
  (r) =>
    `SET ${r.chance(0.5) ? 'LOCAL ' : ''}${r.pick(['lock_timeout', 'statement_timeout'])} = '${r.pick(['0', '2s', '500ms', '1min'])}'`,
  (r) => `LOCK TABLE ${r.pick(TABLES)} IN ${r.pick(['ACCESS EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'ROW EXCLUSIVE'])} MODE`,
  (r) => `TRUNCATE ${r.pick(TABLES)}${r.chance(0.5) ? ' CASCADE' : ''}`,
  (r) => `REFRESH MATERIALIZED VIEW ${r.chance(0.5) ? 'CONCURRENTLY ' : ''}totals`,
  (r) => `REINDEX ${r.chance(0.5) ? '(CONCURRENTLY) ' : ''}TABLE ${r.pick(TABLES)}`,
  () => `VACUUM (ANALYZE) orders`,
  () => `CREATE MATERIALIZED VIEW totals AS SELECT user_id, sum(total_cents) FROM orders GROUP BY 1 WITH NO DATA`,
  () => `CREATE OR REPLACE VIEW v AS SELECT id, email FROM users WHERE status <> 'deleted'`,
  (r) =>
    `ALTER TABLE orders ${r.pick(['DETACH PARTITION orders_2020', 'DETACH PARTITION orders_2020 CONCURRENTLY', "ATTACH PARTITION orders_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"])}`,
  () => `CREATE SCHEMA IF NOT EXISTS app`,
  () => `CREATE EXTENSION IF NOT EXISTS pgcrypto`,
  () => `GRANT SELECT ON ALL TABLES IN SCHEMA app TO reader`,
  () => `SELECT pg_sleep(1)`,
];

const COMMENTS: ReadonlyArray<(r: Rng) => string> = [
  () => '-- a plain comment',
  () => '/* a block /* nested */ comment */',
  (r) =>
    `-- pgphase-ignore ${r.pick(['drop-column', 'rename-column, drop-table', 'missing-lock-timeout'])}: ${r.pick(['the column is unused', ''])}`,
  (r) => `/* pgphase-ignore-file ${r.pick(['unbatched-data-change', 'nonexistent-rule'])}: small table */`,
  () => '-- pgphase: no-transaction',
  () => '-- migración für Ünïcode 🎉',
];

/** A statement of a random kind, with `;`. */
export function statement(r: Rng): string {
  return `${r.pick(STATEMENTS)(r)};`;
}

/** A migration of 1–12 statements with comments, a lock_timeout now and then, and varied white space. */
export function migration(r: Rng): string {
  const parts: string[] = [];
  if (r.chance(0.4)) parts.push("SET lock_timeout = '2s';");
  for (let n = r.between(1, 12); n > 0; n--) {
    if (r.chance(0.3)) parts.push(r.pick(COMMENTS)(r));
    parts.push(statement(r));
  }
  return parts.join(r.pick(['\n', '\n\n', ' ', '\n\t'])) + (r.chance(0.8) ? '\n' : '');
}

const INVALID_UTF8 = [
  [0xff],
  [0xc3], // a lead byte without its continuation
  [0x80, 0x80], // continuations without a lead byte
  [0xc0, 0xaf], // an overlong encoding of '/'
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate
  [0xf0, 0x9f, 0x98], // a 4-byte character cut short
  [0xf8, 0x88, 0x80, 0x80, 0x80], // a 5-byte form UTF-8 no longer allows
];

const UNTERMINATED = [
  "'abc",
  "E'abc\\",
  '"abc',
  '$x$ abc',
  '$$ abc',
  '/* abc',
  '/* /* */',
  "U&'",
  'U&"a',
  "B'01",
  '$1$',
];

const IGNORE_GARBAGE = [
  '-- pgphase-ignore',
  '-- pgphase-ignore :',
  '-- pgphase-ignore ,,,: why',
  '-- pgphase-ignore drop-column drop-table: missing comma',
  '-- pgphase-ignore-file',
  '-- pgphase-ignore-file *: everything',
  '-- pgphase-ignore \u0000\u0001: control',
  '/* pgphase-ignore drop-column: unterminated',
  '-- pgphase-ignore-file drop-column:',
  '-- pgphase:no-transaction garbage',
  `-- pgphase-ignore ${'x'.repeat(5000)}: long`,
  '-- PGPHASE-IGNORE DROP-COLUMN: upper case',
];

const MARKERS = [
  '-- +goose Up',
  '-- +goose Down',
  '-- +goose up',
  '--+goose Up',
  '-- +goose StatementBegin',
  '-- +goose StatementEnd',
  '-- +goose NO TRANSACTION',
  '-- +goose Up -- +goose Down',
  '-- +goose',
  '-- migrate:up',
  '-- migrate:down',
  '-- migrate:up transaction:false',
  '--migrate:up',
  '-- migrate:',
  '-- migrate:down\r',
];

/** Byte offsets where `needle` occurs in `bytes`. */
function occurrences(bytes: Buffer, needle: string): number[] {
  const out: number[] = [];
  for (let i = bytes.indexOf(needle); i !== -1; i = bytes.indexOf(needle, i + 1)) out.push(i);
  return out;
}

/** A cut point: anywhere, or just inside a dollar quote, a comment, a string or a multibyte character when there is one. */
function cutPoint(r: Rng, bytes: Buffer): number {
  const inside = [
    ...occurrences(bytes, '$'),
    ...occurrences(bytes, '/*'),
    ...occurrences(bytes, "'"),
    ...occurrences(bytes, '"'),
  ].map((i) => i + 1);
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0xc0) inside.push(i + 1);
  return inside.length > 0 && r.chance(0.6)
    ? Math.min(r.pick(inside) + r.int(3), bytes.length)
    : r.int(bytes.length + 1);
}

function insertAt(bytes: Buffer, at: number, insert: Buffer | string): Buffer {
  return Buffer.concat([
    bytes.subarray(0, at),
    typeof insert === 'string' ? Buffer.from(insert) : insert,
    bytes.subarray(at),
  ]);
}

function randomBytes(r: Rng, n: number, alphabet?: readonly number[]): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = alphabet ? r.pick(alphabet) : r.int(256);
  return out;
}

/** Control characters, NUL included, and bytes that are never valid UTF-8. */
const BINARY = [0x00, 0x01, 0x07, 0x08, 0x0b, 0x0c, 0x0d, 0x1b, 0x7f, 0x80, 0xc0, 0xfe, 0xff];

/** `depth` levels of one nesting construct around a value: parser and analysis recursion depth. */
function nested(r: Rng, depth: number): string {
  const [open, close, core] = r.pick([
    ['(', ')', '1'],
    ['coalesce(', ')', 'x'],
    ['ARRAY[', ']', '1'],
    ['(SELECT ', ')', '1'],
    ['- ', '', 'x'],
    ['NOT ', '', 'true'],
    ['(x, ', ')', '1'],
  ] as const);
  // a long chain of binary operators nests as deeply as parentheses, without any
  if (r.chance(0.25))
    return Array.from({ length: depth }, () => 'x').join(r.pick([' + ', ' || ', ' AND ', '::int + ']));
  return open.repeat(depth) + core + close.repeat(depth);
}

export type Mutation = (r: Rng, bytes: Buffer, seeds: readonly Buffer[]) => Buffer;

/** The mutations, by name (the names appear in failure messages). */
export const MUTATIONS: Record<string, Mutation> = {
  truncate: (r, b) => b.subarray(0, cutPoint(r, b)),
  'flip-bytes': (r, b) => {
    const out = Buffer.from(b);
    for (let n = r.between(1, 8); n > 0 && out.length > 0; n--) {
      const i = r.int(out.length);
      out[i] = r.chance(0.5) ? out[i]! ^ (1 << r.int(8)) : r.int(256);
    }
    return out;
  },
  'splice-statements': (r, b) => {
    let out = b;
    for (let n = r.between(1, 5); n > 0; n--) {
      // mostly between lines, where the result may still parse; else anywhere, mid-token included
      const lines = occurrences(out, '\n').map((i) => i + 1);
      const at = lines.length > 0 && r.chance(0.7) ? r.pick(lines) : r.int(out.length + 1);
      out = insertAt(out, at, `${statement(r)}\n`);
    }
    return out;
  },
  'splice-seeds': (r, b, seeds) => {
    const other = r.pick(seeds);
    return Buffer.concat([b.subarray(0, r.int(b.length + 1)), other.subarray(r.int(other.length + 1))]);
  },
  'drop-lines': (r, b) => {
    const lines = b.toString('latin1').split('\n');
    return Buffer.from(lines.filter(() => r.chance(0.7)).join('\n'), 'latin1');
  },
  'shuffle-lines': (r, b) => {
    const lines = b.toString('latin1').split('\n');
    for (let i = lines.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    }
    return Buffer.from(lines.join('\n'), 'latin1');
  },
  'insert-binary': (r, b) =>
    insertAt(b, r.int(b.length + 1), randomBytes(r, r.between(1, 64), r.chance(0.5) ? BINARY : undefined)),
  'nul-byte': (r, b) => insertAt(b, r.int(b.length + 1), Buffer.from([0])),
  'invalid-utf8': (r, b) => insertAt(b, r.int(b.length + 1), Buffer.from(r.pick(INVALID_UTF8))),
  'binary-file': (r) => randomBytes(r, r.between(1, 4096)),
  bom: (_r, b) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]),
  crlf: (r, b) => Buffer.from(b.toString('latin1').replace(/\n/g, r.pick(['\r\n', '\r', '\n\r'])), 'latin1'),
  empty: () => Buffer.alloc(0),
  'blank-or-comments': (r) =>
    Buffer.from(
      Array.from({ length: r.between(0, 6) }, () =>
        r.pick([' ', '\n', '\t', ';', '-- only a comment', '/* block */', '\r\n', '\f', '\v']).repeat(r.between(1, 3)),
      ).join(''),
    ),
  'deep-nesting': (r, b) => {
    // around the analysis limit (MAX_TREE_DEPTH), and past the parser's own
    const depth = r.pick([100, 250, 330, 500, 1000, 3000, 6000, 12000, 30000]);
    const sql = r.pick([
      `SELECT ${nested(r, depth)};`,
      `ALTER TABLE t ADD COLUMN c int DEFAULT ${nested(r, depth)};`,
      `ALTER TABLE t ADD CONSTRAINT k CHECK (${nested(r, depth)});`,
      `UPDATE t SET c = ${nested(r, depth)};`,
      `CREATE INDEX i ON t ((${nested(r, depth)}));`,
      `ALTER TABLE t ALTER COLUMN c TYPE bigint USING ${nested(r, depth)};`,
    ]);
    return insertAt(b, r.chance(0.5) ? b.length : 0, `\n${sql}\n`);
  },
  'long-identifier': (r, b) => {
    const char = r.pick(['a', 'Z', 'é', '🎉', '"', '_']);
    const length = r.pick([63, 64, 200, 10000, 100000]);
    const body = char === '"' ? '""'.repeat(length) : char.repeat(length);
    const name = char === '"' || r.chance(0.5) ? `"${body}"` : body;
    const sql = r.pick([
      `ALTER TABLE ${name} ADD COLUMN ${name} int;`,
      `CREATE INDEX ${name} ON t (c);`,
      `ALTER TABLE t RENAME COLUMN c TO ${name};`,
      `SELECT ${name};`,
    ]);
    return insertAt(b, r.int(b.length + 1), `\n${sql}\n`);
  },
  unterminated: (r, b) => insertAt(b, r.chance(0.5) ? b.length : r.int(b.length + 1), r.pick(UNTERMINATED)),
  'ignore-garbage': (r, b) => insertAt(b, r.int(b.length + 1), `\n${r.pick(IGNORE_GARBAGE)}\n`),
  'layout-markers': (r, b) => {
    let out = b;
    for (let n = r.between(1, 3); n > 0; n--)
      out = insertAt(
        out,
        r.chance(0.3) ? 0 : r.int(out.length + 1),
        `${r.chance(0.7) ? '\n' : ''}${r.pick(MARKERS)}\n`,
      );
    return out;
  },
};

export const MUTATION_NAMES = Object.keys(MUTATIONS);

export const HUGE_KINDS = ['many-statements', 'one-statement', 'one-line', 'one-string'] as const;
export type HugeKind = (typeof HUGE_KINDS)[number];

/** A huge file of about `bytes` bytes: many statements, one enormous statement, every statement on one line, or one enormous string. */
export function huge(r: Rng, bytes: number, kind: HugeKind = r.pick(HUGE_KINDS)): { name: string; data: Buffer } {
  let text: string;
  if (kind === 'many-statements') {
    const parts: string[] = [];
    for (let size = 0; size < bytes; ) {
      const s = statement(r);
      parts.push(s);
      size += s.length + 1;
    }
    text = parts.join('\n');
  } else if (kind === 'one-statement') {
    const rows = Math.ceil(bytes / 40);
    text = `INSERT INTO users (id, email) VALUES\n${Array.from({ length: rows }, (_, i) => `(${i}, 'user${i}@example.com')`).join(',\n')};\n`;
  } else if (kind === 'one-line') {
    // every statement on one line: each finding's code frame is this line
    const s = 'ALTER TABLE users ADD COLUMN c int NOT NULL; ';
    text = s.repeat(Math.ceil(bytes / s.length));
  } else {
    text = `ALTER TABLE users DROP COLUMN email; SELECT '${'x'.repeat(bytes)}';\n`;
  }
  return { name: `huge(${kind})`, data: Buffer.from(text) };
}

export const LAYOUT_NAMES = [
  'plain',
  'flyway',
  'golang-migrate',
  'goose',
  'dbmate',
  'prisma',
  'diesel',
  'sqitch',
] as const;

/** The files of a migration directory of `layout` holding `migrations` in order (relative path → content);
 *  the up markers of goose and dbmate are added unless the content is to be left as it is. */
export function layoutFiles(
  r: Rng,
  layout: (typeof LAYOUT_NAMES)[number],
  migrations: readonly Buffer[],
): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const marked = (marker: string, data: Buffer) =>
    r.chance(0.8) ? Buffer.concat([Buffer.from(`${marker}\n`), data]) : data;
  migrations.forEach((data, i) => {
    const n = i + 1;
    const stamp = `2024010${n}120000`;
    if (layout === 'plain') files.set(`000${n}_m.sql`, data);
    if (layout === 'flyway') files.set(`V${n}__m.sql`, data);
    if (layout === 'golang-migrate')
      files.set(`00000${n}_m.up.sql`, data).set(`00000${n}_m.down.sql`, Buffer.from('DROP TABLE users;\n'));
    if (layout === 'goose') files.set(`${stamp}_m.sql`, marked('-- +goose Up', data));
    if (layout === 'dbmate') files.set(`${stamp}_m.sql`, marked('-- migrate:up', data));
    if (layout === 'prisma')
      files.set(`${stamp}_m/migration.sql`, data).set('migration_lock.toml', Buffer.from('provider = "postgresql"\n'));
    if (layout === 'diesel') {
      files
        .set(`2024-01-0${n}-120000_m/up.sql`, data)
        .set(`2024-01-0${n}-120000_m/down.sql`, Buffer.from('DROP TABLE users;\n'));
      if (r.chance(0.3)) files.set(`2024-01-0${n}-120000_m/metadata.toml`, Buffer.from('run_in_transaction = false\n'));
    }
    if (layout === 'sqitch') files.set(`deploy/m${n}.sql`, data);
  });
  if (layout === 'sqitch')
    files.set(
      'sqitch.plan',
      Buffer.from(
        `%project=fuzz\n${migrations.map((_, i) => `m${i + 1} 2024-01-01T00:00:00Z dev <dev@example.com>`).join('\n')}\n`,
      ),
    );
  return files;
}
