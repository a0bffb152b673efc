// Where and how each migration tool keeps a migration: the file names of a plan's phases
// (versions right after the replaced migration's, in the tool's order), the files that make
// up the replaced migration, and how a phase's SQL is wrapped for the tool.
import type { LayoutName } from '../../discover/index.js';
import type { PhaseMigration, ToolModel } from './phase.js';

export type EmitLayout = Extract<LayoutName, 'golang-migrate' | 'prisma' | 'flyway' | 'dbmate' | 'goose' | 'diesel' | 'plain'>;

export const EMIT_LAYOUTS: readonly EmitLayout[] = ['golang-migrate', 'prisma', 'flyway', 'dbmate', 'goose', 'diesel', 'plain'];

export interface Tool {
  name: EmitLayout;
  /** Shown in the plan's README. */
  title: string;
  model: ToolModel;
  /** The replaced migration's version and name, from its path relative to the history's root. */
  parse(rel: string): { version: string; name: string } | undefined;
  /** The version of the k-th phase (0-based) after the replaced migration's. */
  version(original: string, k: number): string;
  /** The files of one phase migration, relative to the root. */
  /** `label`: the phase's name, numbered when the phase takes several migrations. */
  files(version: string, name: string, label: string, migration: PhaseMigration): Map<string, string>;
  /** The files of the replaced migration, relative to the root (those that exist are removed). */
  originals(rel: string): string[];
  /** How the tool is run, for the README. */
  command: string;
}

/** Adds `k` to the last run of digits, keeping its width: 000007 → 000008, 2024-02-10-080000 → 2024-02-10-080001. */
export function bump(version: string, k: number): string {
  return version.replace(/\d+(?=\D*$)/, (digits) => (BigInt(digits) + BigInt(k)).toString().padStart(digits.length, '0'));
}

const one = (entries: Array<[string, string]>) => new Map(entries);
const dirOf = (rel: string) => rel.slice(0, rel.indexOf('/'));
const prefixed = (re: RegExp) => (rel: string) => {
  const m = re.exec(rel);
  return m ? { version: m[1]!, name: m[2]! } : undefined;
};

export const TOOLS: Record<EmitLayout, Tool> = {
  'golang-migrate': {
    name: 'golang-migrate',
    title: 'golang-migrate (or sqlx)',
    // one file is one query string: PostgreSQL runs it as one implicit transaction
    model: 'transaction',
    parse: prefixed(/^(\d+)_(.*)\.up\.sql$/),
    version: bump,
    files: (v, name, label, m) => one([[`${v}_${name}_${label}.up.sql`, m.up], [`${v}_${name}_${label}.down.sql`, m.down]]),
    originals: (rel) => [rel, rel.replace(/\.up\.sql$/, '.down.sql')],
    command: 'migrate -path <dir> -database <url> up',
  },
  prisma: {
    name: 'prisma',
    title: 'Prisma',
    model: 'transaction',
    parse: (rel) => prefixed(/^(\d+)_(.*)$/)(dirOf(rel)),
    version: bump,
    files: (v, name, label, m) => one([[`${v}_${name}_${label}/migration.sql`, m.up]]),
    originals: (rel) => [rel],
    command: 'prisma migrate deploy',
  },
  flyway: {
    name: 'flyway',
    title: 'Flyway',
    model: 'transaction',
    parse: prefixed(/^V(\d+(?:[._]\d+)*)__(.+)\.sql$/),
    // sub-versions of the replaced one: V7 → V7.1, V7.2 … sort after V7 and before V8
    version: (original, k) => `${original}.${k + 1}`,
    files: (v, name, label, m) => one([[`V${v}__${name}_${label}.sql`, m.up]]),
    originals: (rel) => [rel],
    command: 'flyway migrate',
  },
  dbmate: {
    name: 'dbmate',
    title: 'dbmate',
    model: 'transaction',
    parse: prefixed(/^(\d+)_(.*)\.sql$/),
    version: bump,
    files: (v, name, label, m) => {
      const options = m.noTransaction ? ' transaction:false' : '';
      return one([[`${v}_${name}_${label}.sql`, `-- migrate:up${options}\n${m.up}\n-- migrate:down${options}\n${m.down}`]]);
    },
    originals: (rel) => [rel],
    command: 'dbmate up',
  },
  goose: {
    name: 'goose',
    title: 'goose',
    model: 'transaction',
    parse: prefixed(/^(\d+)_(.*)\.sql$/),
    version: bump,
    // one statement block: goose sends it as one query, in the transaction it runs the file in
    files: (v, name, label, m) =>
      one([
        [
          `${v}_${name}_${label}.sql`,
          `${m.noTransaction ? '-- +goose NO TRANSACTION\n' : ''}-- +goose Up\n-- +goose StatementBegin\n${m.up}-- +goose StatementEnd\n\n-- +goose Down\n-- +goose StatementBegin\n${m.down}-- +goose StatementEnd\n`,
        ],
      ]),
    originals: (rel) => [rel],
    command: 'goose -dir <dir> postgres <url> up',
  },
  diesel: {
    name: 'diesel',
    title: 'Diesel',
    model: 'transaction',
    parse: (rel) => prefixed(/^([\d-]+)_(.*)$/)(dirOf(rel)),
    version: bump,
    files: (v, name, label, m) =>
      one([
        [`${v}_${name}_${label}/up.sql`, m.up],
        [`${v}_${name}_${label}/down.sql`, m.down],
        ...(m.noTransaction ? [[`${v}_${name}_${label}/metadata.toml`, 'run_in_transaction = false\n'] as [string, string]] : []),
      ]),
    originals: (rel) => [rel, `${dirOf(rel)}/down.sql`, `${dirOf(rel)}/metadata.toml`],
    command: 'diesel migration run',
  },
  plain: {
    name: 'plain',
    title: 'plain SQL files run with psql',
    // psql -f: statement by statement, so the phase file runs as written
    model: 'statements',
    parse: prefixed(/^(\d+)_(.*)\.sql$/),
    version: bump,
    files: (v, name, label, m) => one([[`${v}_${name}_${label}.sql`, m.up]]),
    originals: (rel) => [rel],
    command: 'psql -v ON_ERROR_STOP=1 -f <file>, each file in order',
  },
};
