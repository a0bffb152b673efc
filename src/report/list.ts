// `pgphase lint --list`: how each migration directory is read, as text.
import type { SetListing } from '../discover/index.js';
import type { TransactionModel } from '../lint/rule.js';

const HOW: Record<TransactionModel, string> = {
  'per-file': 'transaction',
  implicit: 'one query',
  none: 'no transaction',
};

const WHY: Record<SetListing['skipped'][number]['reason'], string> = {
  down: 'down migration',
  'other-database': 'for another database',
  replaced: 'the PostgreSQL file of its version runs instead',
  unincluded: 'no changelog or manifest lists it',
};

export function formatList(sets: readonly SetListing[]): string {
  return sets
    .map((set) => {
      // a file that holds several migrations (Liquibase changesets) is listed under each but counted once
      const files = new Set(set.migrations.flatMap((m) => m.files.map((f) => f.path))).size;
      const head = `${set.root}: ${set.layout} layout, ${set.migrations.length} migration${set.migrations.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}${
        set.pendingInOneTransaction ? ' (the tool runs all pending migrations in one transaction)' : ''
      }`;
      // a layout whose every migration is one file named by its id (with or without `.sql`) names each by its file: no id column then
      const ids = set.migrations.some(
        (m) => m.files.length > 1 || (m.files[0]!.path !== m.id && m.files[0]!.path !== `${m.id}.sql`),
      );
      const idWidth = Math.max(...set.migrations.map((m) => m.id.length));
      const howWidth = Math.max(...set.migrations.flatMap((m) => m.files.map((f) => HOW[f.transaction].length)));
      const lines = set.migrations.flatMap((m) =>
        m.files.map(
          (f, i) =>
            `  ${ids ? `${(i === 0 ? m.id : '').padEnd(idWidth)}  ` : ''}${HOW[f.transaction].padEnd(howWidth)}  ${f.path}`,
        ),
      );
      const skipped = set.skipped.map((f) => `  skipped (${WHY[f.reason]})  ${f.path}`);
      return `${[head, ...lines, ...skipped].join('\n')}\n`;
    })
    .join('\n');
}
