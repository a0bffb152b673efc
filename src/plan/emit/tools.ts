// Where and how each migration tool keeps a migration: the file names of a plan's phases
// (versions right after the replaced migration's, in the tool's order), the files that make
// up the replaced migration, and how a phase's SQL is wrapped for the tool.
import type { LayoutName } from '../../discover/index.js';
import type { PhaseMigration, ToolModel } from './phase.js';

export type EmitLayout = Extract<LayoutName, 'golang-migrate' | 'prisma' | 'flyway' | 'dbmate' | 'goose' | 'diesel' | 'plain'>;

export const EMIT_LAYOUTS: readonly EmitLayout[] = ['golang-migrate', 'prisma', 'flyway', 'dbmate', 'goose', 'diesel', 'plain'];

export interface Tool {
  /** Shown in the plan's README. */
  title: string;
  model: ToolModel;
  /** The replaced migration's version and name, from its path relative to the history's root. */
  parse(rel: string): { version: string; name: string } | undefined;
  /** The version of the k-th phase (0-based) after the replaced migration's. */
  version(original: string, k: number): string;
  /** The name one phase migration's files share; `label` is the phase's name, numbered when the phase takes several migrations. */
  stem(version: string, name: string, label: string): string;
  /** The files of one phase migration, relative to the root. */
  files(stem: string, migration: PhaseMigration): Array<[string, string]>;
  /** The files of the replaced migration, relative to the root (those that exist are removed). */
  originals(rel: string): string[];
  /** How the tool is run, for the README. */
  command: string;
}

/** Adds `k` to the last run of digits, keeping its width: 000007 → 000008, 2024-02-10-080000 → 2024-02-10-080001. */
export function bump(version: string, k: number): string {
  return version.replace(/\d+(?=\D*$)/, (digits) => (BigInt(digits) + BigInt(k)).toString().padStart(digits.length, '0'));
}

const dirOf = (rel: string) => rel.slice(0, rel.indexOf('/'));
const prefixed = (re: RegExp) => (rel: string) => {
  const m = re.exec(rel);
  return m ? { version: m[1]!, name: m[2]! } : undefined;
};

/** What most tools share: a migration in one transaction, versions bumped, `<version>_<name>_<label>`, one file replaced. */
const tool = (own: Pick<Tool, 'title' | 'parse' | 'files' | 'command'> & Partial<Tool>): Tool => ({
  model: 'transaction',
  version: bump,
  stem: (v, name, label) => `${v}_${name}_${label}`,
  originals: (rel) => [rel],
  ...own,
});

export const TOOLS: Record<EmitLayout, Tool> = {
  'golang-migrate': tool({
    title: 'golang-migrate (or sqlx)',
    // one file is one query string: PostgreSQL runs it as one implicit transaction
    parse: prefixed(/^(\d+)_(.*)\.up\.sql$/),
    files: (stem, m) => [[`${stem}.up.sql`, m.up], [`${stem}.down.sql`, m.down]],
    originals: (rel) => [rel, rel.replace(/\.up\.sql$/, '.down.sql')],
    command: 'migrate -path <dir> -database <url> up',
  }),
  prisma: tool({
    title: 'Prisma',
    parse: (rel) => prefixed(/^(\d+)_(.*)$/)(dirOf(rel)),
    files: (stem, m) => [[`${stem}/migration.sql`, m.up]],
    command: 'prisma migrate deploy',
  }),
  flyway: tool({
    title: 'Flyway',
    parse: prefixed(/^V(\d+(?:[._]\d+)*)__(.+)\.sql$/),
    // sub-versions of the replaced one: V7 → V7.1, V7.2 … sort after V7 and before V8
    version: (original, k) => `${original}.${k + 1}`,
    stem: (v, name, label) => `V${v}__${name}_${label}`,
    files: (stem, m) => [[`${stem}.sql`, m.up]],
    command: 'flyway migrate',
  }),
  dbmate: tool({
    title: 'dbmate',
    parse: prefixed(/^(\d+)_(.*)\.sql$/),
    files: (stem, m) => {
      const options = m.noTransaction ? ' transaction:false' : '';
      return [[`${stem}.sql`, `-- migrate:up${options}\n${m.up}\n-- migrate:down${options}\n${m.down}`]];
    },
    command: 'dbmate up',
  }),
  goose: tool({
    title: 'goose',
    parse: prefixed(/^(\d+)_(.*)\.sql$/),
    // one statement block: goose sends it as one query, in the transaction it runs the file in
    files: (stem, m) => [
      [
        `${stem}.sql`,
        `${m.noTransaction ? '-- +goose NO TRANSACTION\n' : ''}-- +goose Up\n-- +goose StatementBegin\n${m.up}-- +goose StatementEnd\n\n-- +goose Down\n-- +goose StatementBegin\n${m.down}-- +goose StatementEnd\n`,
      ],
    ],
    command: 'goose -dir <dir> postgres <url> up',
  }),
  diesel: tool({
    title: 'Diesel',
    parse: (rel) => prefixed(/^([\d-]+)_(.*)$/)(dirOf(rel)),
    files: (stem, m) => [
      [`${stem}/up.sql`, m.up],
      [`${stem}/down.sql`, m.down],
      ...(m.noTransaction ? [[`${stem}/metadata.toml`, 'run_in_transaction = false\n'] as [string, string]] : []),
    ],
    originals: (rel) => [rel, `${dirOf(rel)}/down.sql`, `${dirOf(rel)}/metadata.toml`],
    command: 'diesel migration run',
  }),
  plain: tool({
    title: 'plain SQL files run with psql',
    // psql -f: statement by statement, so the phase file runs as written
    model: 'statements',
    parse: prefixed(/^(\d+)_(.*)\.sql$/),
    files: (stem, m) => [[`${stem}.sql`, m.up]],
    command: 'psql -v ON_ERROR_STOP=1 -f <file>, each file in order',
  }),
};
