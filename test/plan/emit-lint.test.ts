// `pgphase lint` of a directory holding migrations `plan --emit` wrote: the plan's own
// statements (the contract's catch-up UPDATE, SET NOT NULL, the phase record) are not reported,
// because each emitted file is checked against its plan.json and judged as the plan's phase;
// the header alone does not silence anything.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverSet } from '../../src/discover/index.js';
import { lint } from '../../src/index.js';
import { EMIT_LAYOUTS } from '../../src/plan/emit/index.js';
import { plan } from '../../src/plan/index.js';
import { addNext } from '../helpers/emit.js';

/** Findings per file of the directory, as `rule path`. */
async function findings(root: string, cwd: string): Promise<string[]> {
  const { result } = await lint({ paths: [root], cwd });
  return result.files.flatMap((f) => f.findings.map((x) => `${x.rule} ${f.path}`));
}

/** A project holding fixtures/emit/<layout> with its NOT NULL migration, both planned with --emit. */
async function emittedProject(layout: (typeof EMIT_LAYOUTS)[number]) {
  const project = mkdtempSync(join(tmpdir(), 'pgphase-emit-lint-'));
  // the Supabase CLI's directory is known by its place
  const root = join(project, layout === 'supabase' ? 'supabase/migrations' : 'migrations');
  cpSync(join('fixtures/emit', layout), root, { recursive: true });
  const next = join('fixtures/emit', `${layout}.next`);
  addNext(layout, next, root);
  const files: string[] = [];
  for (const name of ['rename_users_full_name', 'orders_status_not_null']) {
    const file = (await discoverSet(root)).files.find((f) => f.absPath.includes(name))!.absPath;
    const planned = await plan({ file, history: root, cwd: project, emit: layout });
    // a Liquibase changeset is shown with its changelog file
    files.push(
      ...planned.emitted!.phases.flatMap((p) =>
        p.files.map((f) => relative(project, join(root, f.replace(/ \(changeset .*\)$/, '')))),
      ),
    );
  }
  return { project, root, files };
}

describe.each(EMIT_LAYOUTS)('lint of migrations emitted for %s', (layout) => {
  it('reports none of the plan’s own statements, but does once the file is not what its plan emits', async () => {
    const { project, root, files } = await emittedProject(layout);
    const own = (list: string[]) => list.filter((f) => files.some((file) => f.endsWith(` ${file}`)));
    expect(own(await findings(root, project))).toEqual([]);

    // a statement added to an emitted file, after its header: the file is linted like any other
    const forward = (await discoverSet(root)).files.map((f) => relative(project, f.absPath));
    // the NOT NULL's last migration (or its changelog) is its contract
    const contract = files.filter((f) => f.includes('orders_status_not_null') && forward.includes(f)).at(-1)!;
    const text = readFileSync(join(project, contract), 'utf8');
    // (the last contract migration's header in the up section: a Liquibase changelog holds every phase, a down section repeats it)
    const down = /^-- (?:migrate:down|\+goose Down|Down Migration)/m.exec(text)?.index ?? text.length;
    const header = [...text.matchAll(/^-- pgphase plan \S+ · contract[^\n]*\n/gm)]
      .filter((m) => m.index < down)
      .at(-1)!;
    writeFileSync(
      join(project, contract),
      `${text.slice(0, header.index + header[0].length)}DROP TABLE users;\n${text.slice(header.index + header[0].length)}`,
    );
    const forged = own(await findings(root, project));
    expect(forged).toContain(`drop-table ${contract}`);
    // the plan's own statements are judged again too (where the contract runs in the migration, not in pgphase run)
    if (text.slice(header.index).includes('SET NOT NULL')) expect(forged).toContain(`set-not-null ${contract}`);
  });
});

describe('lint of emitted migrations, what it takes to recognise them', () => {
  it('reports the plan’s statements when the plan directory is gone, or names another plan', async () => {
    const { project, root, files } = await emittedProject('golang-migrate');
    const contract = files
      .filter((f) => f.includes('orders_status_not_null') && f.includes('contract') && f.endsWith('.up.sql'))
      .at(-1)!;
    const planDir = join(
      project,
      'pgphase',
      readdirSync(join(project, 'pgphase')).find((d) => d.includes('orders_status_not_null'))!,
    );
    renameSync(planDir, `${planDir}-moved`);
    expect(await findings(root, project)).toContain(`set-not-null ${contract}`);
    renameSync(`${planDir}-moved`, planDir);
    expect(await findings(root, project)).not.toContain(`set-not-null ${contract}`);
    // written by an earlier pgphase, which its phase record names: still its plan's phase
    const current = readFileSync(join(project, contract), 'utf8');
    expect(current).toMatch(/'version', '[^']+'\)/);
    writeFileSync(join(project, contract), current.replace(/'version', '[^']+'\)/, `'version', '0.0.1')`));
    expect(await findings(root, project)).not.toContain(`set-not-null ${contract}`);
    // a header copied onto SQL of one's own, however the plan is named
    const text = readFileSync(join(project, contract), 'utf8');
    const header = text.split('\n')[0]!;
    writeFileSync(join(root, '000099_mine.up.sql'), `${header}\nDROP TABLE orders;\n`);
    expect(await findings(root, project)).toContain(
      `drop-table ${relative(project, join(root, '000099_mine.up.sql'))}`,
    );
  });

  const documenso = 'bench/.histories/documenso';
  it.skipIf(!existsSync(documenso))(
    'on documenso’s Prisma history: a NOT NULL with its backfill planned with --emit, then the directory linted (skipped without the cached history)',
    async () => {
      const project = mkdtempSync(join(tmpdir(), 'pgphase-emit-lint-'));
      const root = join(project, 'prisma/migrations');
      cpSync(documenso, root, { recursive: true });
      mkdirSync(join(root, '20260701000000_user_name_not_null'));
      const file = join(root, '20260701000000_user_name_not_null/migration.sql');
      writeFileSync(
        file,
        `UPDATE "User" SET "name" = '' WHERE "name" IS NULL;\nALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL;\n`,
      );
      const before = await findings(root, project);
      expect(before.filter((f) => f.includes('20260701'))).toEqual(
        expect.arrayContaining([expect.stringMatching(/^set-not-null /)]),
      );
      const planned = await plan({ file, history: root, cwd: project, emit: 'auto' });
      expect(planned.emitted!.phases.map((p) => p.phase)).toEqual(['backfill', 'contract']);
      const after = await findings(root, project);
      expect(after.filter((f) => f.includes('20260701'))).toEqual([]);
      // the rest of the history is judged as before
      expect(after.filter((f) => !f.includes('20260701'))).toEqual(before.filter((f) => !f.includes('20260701')));
    },
  );
});
