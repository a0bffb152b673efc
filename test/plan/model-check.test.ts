// The plan's model check: a plan replayed on the schema model must be valid step by step and
// leave the schema the migration leaves. Plans of real-migration shapes (a name dropped and
// created again, a statement about a replaced column) either pass it or are refused; the shapes
// an earlier planner produced for them are caught, each with its difference named.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { PlanRefused } from '../../src/errors.js';
import { modelCheck, type CheckedPhase } from '../../src/plan/model-check.js';
import { plan } from '../../src/plan/index.js';
import type { Planned } from '../../src/plan/planner.js';
import { replay, SchemaModel, schemaDifferences } from '../../src/schema/model.js';
import { normalizeStatement } from '../../src/sql/normalize.js';
import { loadParser, parseSource } from '../../src/sql/source.js';
import { tempTree } from '../helpers/cli.js';

// a planner bug injected on purpose: the hook rewrites what the real planner returns
const injected = vi.hoisted(() => ({ bug: undefined as ((planned: Planned) => Planned) | undefined }));
vi.mock('../../src/plan/planner.js', async (original) => {
  const real = await original<typeof import('../../src/plan/planner.js')>();
  return {
    ...real,
    plan: (options: Parameters<typeof real.plan>[0]) => (injected.bug ?? ((p: Planned) => p))(real.plan(options)),
  };
});

const START = `CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (id int PRIMARY KEY, p_id int, a text, b text, features text, email text);
ALTER TABLE c ADD CONSTRAINT c_p_fkey FOREIGN KEY (p_id) REFERENCES p (id);
CREATE INDEX c_email_idx ON c (email);
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER c_stamp BEFORE INSERT ON c FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS 'SELECT 42';
CREATE TABLE t (id int, x int, CONSTRAINT t_pkey PRIMARY KEY (id));
CREATE TABLE vt (id int PRIMARY KEY, a text, b text);
CREATE VIEW v AS SELECT id, a FROM vt;
CREATE TABLE d (id int PRIMARY KEY, day text NOT NULL);
CREATE TYPE sev AS ENUM ('a', 'b');
CREATE TABLE mo (id int PRIMARY KEY, s sev);`;

/** The patterns of real migrations, each as a migration over START. */
const PATTERNS: Record<string, string> = {
  'foreign key dropped and added again under its name (ON DELETE changed)':
    'ALTER TABLE c DROP CONSTRAINT c_p_fkey;\nALTER TABLE c ADD CONSTRAINT c_p_fkey FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE;',
  'view dropped and created again': 'DROP VIEW v;\nCREATE VIEW v AS SELECT id, a, b FROM vt;',
  'view dropped, a column it read changed type, view created again':
    'DROP VIEW v;\nALTER TABLE vt ALTER COLUMN a TYPE int USING a::int;\nCREATE VIEW v AS SELECT id, a FROM vt;',
  'trigger dropped and created again':
    'DROP TRIGGER c_stamp ON c;\nCREATE TRIGGER c_stamp AFTER INSERT ON c FOR EACH ROW EXECUTE FUNCTION stamp();',
  'DROP TRIGGER IF EXISTS before a new trigger':
    'DROP TRIGGER IF EXISTS c_audit ON c;\nCREATE TRIGGER c_audit AFTER INSERT ON c FOR EACH ROW EXECUTE FUNCTION stamp();',
  'index dropped and created again': 'DROP INDEX c_email_idx;\nCREATE INDEX c_email_idx ON c (lower(email));',
  'column dropped and added again': 'ALTER TABLE c DROP COLUMN a;\nALTER TABLE c ADD COLUMN a int;',
  'primary key dropped and added again under its name':
    'ALTER TABLE t DROP CONSTRAINT t_pkey, ADD CONSTRAINT t_pkey PRIMARY KEY (id, x);',
  'DROP COLUMN a, then RENAME b TO a': 'ALTER TABLE c DROP COLUMN a;\nALTER TABLE c RENAME COLUMN b TO a;',
  'function dropped and created again with another return type':
    "DROP FUNCTION answer();\nCREATE FUNCTION answer() RETURNS bigint LANGUAGE sql AS 'SELECT 42::bigint';",
  'SET DEFAULT after a type change of the column':
    "ALTER TABLE c ALTER COLUMN features TYPE jsonb USING features::jsonb;\nALTER TABLE c ALTER COLUMN features SET DEFAULT '{}';",
  // found by the check in public histories
  'index on a column whose type changed before it':
    'ALTER TABLE d ALTER COLUMN day TYPE date USING day::date;\nCREATE UNIQUE INDEX d_day ON d (day);',
  'DROP NOT NULL after a type change of the column':
    'ALTER TABLE d ALTER COLUMN day TYPE date USING day::date, ALTER COLUMN day DROP NOT NULL;',
  'DROP INDEX IF EXISTS, then CREATE INDEX, on a table new in the migration':
    'CREATE TABLE m (id int PRIMARY KEY, k text);\nDROP INDEX IF EXISTS m_k;\nCREATE INDEX IF NOT EXISTS m_k ON m (k);',
  'DROP FUNCTION IF EXISTS, then CREATE OR REPLACE FUNCTION':
    "DROP FUNCTION IF EXISTS answer();\nCREATE OR REPLACE FUNCTION answer() RETURNS int LANGUAGE sql AS 'SELECT 43';",
  'a column renamed, then its table': 'ALTER TABLE t RENAME COLUMN x TO y;\nALTER TABLE t RENAME TO t2;',
  'enum created again under its name':
    "ALTER TYPE sev RENAME TO sev_old;\nCREATE TYPE sev AS ENUM ('a', 'b', 'c');\nALTER TABLE mo ALTER COLUMN s TYPE sev USING s::text::sev;\nDROP TYPE sev_old;",
};

beforeAll(loadParser);

function startModel(): SchemaModel {
  const model = new SchemaModel();
  replay(parseSource('001_start.sql', START), model);
  return model;
}

/** The model check of hand-written phases for a pattern's migration. */
function check(pattern: string, phases: Record<string, string[]>, backfills: CheckedPhase['backfills'] = []): string[] {
  const checked: CheckedPhase[] = Object.entries(phases).map(([name, steps]) => ({
    name: name as CheckedPhase['name'],
    steps: steps.map((sql, i) => ({ id: `${name}:${i + 1}`, sql })),
    ...(name === 'backfill' && { backfills }),
  }));
  return modelCheck(checked, startModel(), parseSource('002_change.sql', PATTERNS[pattern]!));
}

describe('plan on the patterns of real migrations: a plan that passes the model check, or a refusal', () => {
  for (const [name, sql] of Object.entries(PATTERNS)) {
    it(name, async () => {
      const dir = tempTree({ 'm/001_start.sql': START, 'm/002_change.sql': sql });
      const outcome = await plan({
        file: join(dir, 'm/002_change.sql'),
        history: join(dir, 'm'),
        out: join(dir, 'plan'),
      }).catch((error: unknown) => error);
      if (outcome instanceof Error) {
        expect(outcome).toBeInstanceOf(PlanRefused);
        expect(existsSync(join(dir, 'plan'))).toBe(false);
        return;
      }
      const written = JSON.parse(readFileSync(join(dir, 'plan', 'plan.json'), 'utf8'));
      expect(modelCheck(written.phases, startModel(), parseSource('002_change.sql', sql))).toEqual([]);
    });
  }
});

/** A plan of a pattern, written by hand in the shape an earlier planner gave it, and the differences the check names. */
interface BuggyPlan {
  name: string;
  pattern: string;
  phases: Record<string, string[]>;
  backfills?: CheckedPhase['backfills'];
  differences: string[];
}

const SYNC = '"public"."c_b_pgphase_sync"';

const BUGGY: BuggyPlan[] = [
  {
    name: 'a foreign key added again in expand while its drop waits in contract',
    pattern: 'foreign key dropped and added again under its name (ON DELETE changed)',
    phases: {
      expand: [
        'ALTER TABLE "public"."c" ADD CONSTRAINT "c_p_fkey" FOREIGN KEY (p_id) REFERENCES public.p (id) ON DELETE CASCADE NOT VALID',
      ],
      backfill: ['ALTER TABLE "public"."c" VALIDATE CONSTRAINT "c_p_fkey"'],
      contract: ['ALTER TABLE c DROP CONSTRAINT c_p_fkey'],
    },
    differences: [
      'step expand:1: constraint "c_p_fkey" of "public"."c" already exists',
      'after contract, constraint "c_p_fkey" of "public"."c" is missing',
    ],
  },
  {
    name: 'a view created again in expand while its drop waits in contract',
    pattern: 'view dropped and created again',
    phases: { expand: ['CREATE VIEW v AS SELECT id, a, b FROM vt'], contract: ['DROP VIEW v'] },
    differences: ['step expand:1: view "public"."v" already exists', 'after contract, view "public"."v" is missing'],
  },
  {
    name: 'a view dropped in contract, after the copy of a column it reads replaced the column',
    pattern: 'view dropped, a column it read changed type, view created again',
    phases: {
      expand: [
        'ALTER TABLE "public"."vt" ADD COLUMN IF NOT EXISTS "a_pgphase_new" integer',
        'CREATE VIEW v AS SELECT id, a FROM vt',
      ],
      contract: [
        'DROP VIEW v',
        'ALTER TABLE "public"."vt" DROP COLUMN "a";\nALTER TABLE "public"."vt" RENAME COLUMN "a_pgphase_new" TO "a"',
      ],
    },
    differences: ['step expand:2: view "public"."v" already exists', 'after contract, view "public"."v" is missing'],
  },
  {
    name: 'a trigger created again in expand while its drop waits in contract',
    pattern: 'trigger dropped and created again',
    phases: {
      expand: ['CREATE TRIGGER c_stamp AFTER INSERT ON c FOR EACH ROW EXECUTE FUNCTION stamp()'],
      contract: ['DROP TRIGGER c_stamp ON c'],
    },
    differences: [
      'step expand:1: trigger "c_stamp" on "public"."c" already exists',
      'after contract, trigger "c_stamp" on "public"."c" is missing',
    ],
  },
  {
    name: 'a new trigger created in expand and removed by the DROP TRIGGER IF EXISTS written before it',
    pattern: 'DROP TRIGGER IF EXISTS before a new trigger',
    phases: {
      expand: ['CREATE TRIGGER c_audit AFTER INSERT ON c FOR EACH ROW EXECUTE FUNCTION stamp()'],
      contract: ['DROP TRIGGER IF EXISTS c_audit ON c'],
    },
    differences: ['after contract, trigger "c_audit" on "public"."c" is missing'],
  },
  {
    name: 'an index re-created in expand (IF NOT EXISTS: nothing) while its drop waits in contract',
    pattern: 'index dropped and created again',
    phases: {
      expand: ['CREATE INDEX CONCURRENTLY IF NOT EXISTS c_email_idx ON public.c (lower(email))'],
      contract: ['DROP INDEX CONCURRENTLY IF EXISTS "public"."c_email_idx"'],
    },
    differences: [
      'step expand:1: index "public"."c_email_idx" already exists (IF NOT EXISTS leaves it as it is)',
      'after contract, index "public"."c_email_idx" is missing',
    ],
  },
  {
    name: 'a column added again in expand while its drop waits in contract',
    pattern: 'column dropped and added again',
    phases: {
      expand: ['ALTER TABLE c ADD COLUMN a int'],
      contract: ['ALTER TABLE "public"."c" DROP COLUMN IF EXISTS "a"'],
    },
    differences: [
      'step expand:1: column "a" of "public"."c" already exists',
      'after contract, column "a" of "public"."c" is missing',
    ],
  },
  {
    name: 'a primary key whose index is not built (its name is taken) and whose drop leaves the table without a key',
    pattern: 'primary key dropped and added again under its name',
    phases: {
      expand: ['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_pkey ON public.t (id, x)'],
      contract: [
        'ALTER TABLE t DROP CONSTRAINT t_pkey RESTRICT',
        'ALTER TABLE "public"."t" ADD CONSTRAINT "t_x_not_null" CHECK ("x" IS NOT NULL) NOT VALID',
        'ALTER TABLE "public"."t" VALIDATE CONSTRAINT "t_x_not_null"',
        'ALTER TABLE "public"."t" ALTER COLUMN "x" SET NOT NULL, DROP CONSTRAINT "t_x_not_null"',
        'ALTER TABLE "public"."t" ADD CONSTRAINT "t_pkey" PRIMARY KEY USING INDEX "t_pkey"',
      ],
    },
    differences: [
      'step expand:1: index "public"."t_pkey" already exists (IF NOT EXISTS leaves it as it is)',
      'step contract:5: index "public"."t_pkey" does not exist',
      'after contract, constraint "t_pkey" of "public"."t" differs from the migration\'s',
      'after contract, index "public"."t_pkey" differs from the migration\'s',
    ],
  },
  {
    name: 'DROP COLUMN a then RENAME b TO a: the copy lands in the live a, and contract drops both',
    pattern: 'DROP COLUMN a, then RENAME b TO a',
    phases: {
      expand: ['ALTER TABLE "public"."c" ADD COLUMN IF NOT EXISTS "a" text'],
      trigger: [
        `CREATE FUNCTION ${SYNC}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW."a" := NEW."b"; RETURN NEW; END $$`,
        `CREATE TRIGGER "c_b_pgphase_sync" BEFORE INSERT OR UPDATE ON "public"."c" FOR EACH ROW EXECUTE FUNCTION ${SYNC}()`,
      ],
      backfill: [],
      contract: [
        'ALTER TABLE "public"."c" DROP COLUMN IF EXISTS "a"',
        `DROP TRIGGER IF EXISTS "c_b_pgphase_sync" ON "public"."c";\nALTER TABLE "public"."c" DROP COLUMN "b"`,
        `DROP FUNCTION IF EXISTS ${SYNC}()`,
      ],
    },
    backfills: [
      { table: { schema: 'public', name: 'c' }, set: '"a" = "b"', where: '"a" IS DISTINCT FROM "b"', afterSteps: 0 },
    ],
    differences: [
      'step expand:1: column "a" of "public"."c" already exists (IF NOT EXISTS leaves it as it is)',
      'after contract, column "a" of "public"."c" is missing',
    ],
  },
  {
    name: 'a function created again in expand while its drop waits in contract',
    pattern: 'function dropped and created again with another return type',
    phases: {
      expand: ["CREATE FUNCTION answer() RETURNS bigint LANGUAGE sql AS 'SELECT 42::bigint'"],
      contract: ['DROP FUNCTION answer()'],
    },
    differences: [
      'step expand:1: function "public"."answer" already exists',
      'after contract, function "public"."answer" is missing',
    ],
  },
  {
    name: 'CREATE OR REPLACE of a function with another return type',
    pattern: 'function dropped and created again with another return type',
    phases: {
      expand: ["CREATE OR REPLACE FUNCTION answer() RETURNS bigint LANGUAGE sql AS 'SELECT 42::bigint'"],
      contract: ['DROP FUNCTION answer()'],
    },
    differences: [
      'step expand:1: function "public"."answer" exists with another return type, which CREATE OR REPLACE cannot change',
      'after contract, function "public"."answer" is missing',
    ],
  },
  {
    name: 'a SET DEFAULT applied to the column its copy replaces: the default is lost',
    pattern: 'SET DEFAULT after a type change of the column',
    phases: {
      expand: [
        'ALTER TABLE "public"."c" ADD COLUMN IF NOT EXISTS "features_pgphase_new" jsonb',
        "ALTER TABLE c ALTER features SET DEFAULT '{}'",
      ],
      contract: [
        'ALTER TABLE "public"."c" DROP COLUMN "features";\nALTER TABLE "public"."c" RENAME COLUMN "features_pgphase_new" TO "features"',
      ],
    },
    differences: [`after contract, column "features" of "public"."c" has default none, the migration gives '{}'`],
  },
  {
    name: 'a backfill that writes a column only a later phase creates',
    pattern: 'DROP COLUMN a, then RENAME b TO a',
    phases: { backfill: [], contract: ['ALTER TABLE c DROP COLUMN a', 'ALTER TABLE c RENAME COLUMN b TO a'] },
    backfills: [{ table: { schema: 'public', name: 'c' }, set: '"z" = "b"', where: 'true', afterSteps: 0 }],
    differences: ['backfill, backfill 1: column "z" of "public"."c" does not exist'],
  },
];

describe('the model check catches the plans an earlier planner made of these patterns', () => {
  for (const k of BUGGY) {
    it(k.name, () => {
      expect(check(k.pattern, k.phases, k.backfills)).toEqual(k.differences);
    });
  }
});

describe('the model check passes plans that do what the migration does', () => {
  it('a foreign key replaced under a temporary name, swapped in contract', () => {
    const differences = check('foreign key dropped and added again under its name (ON DELETE changed)', {
      expand: [
        'ALTER TABLE c ADD CONSTRAINT c_p_fkey_new FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE NOT VALID',
      ],
      backfill: ['ALTER TABLE c VALIDATE CONSTRAINT c_p_fkey_new'],
      contract: ['ALTER TABLE c DROP CONSTRAINT c_p_fkey', 'ALTER TABLE c RENAME CONSTRAINT c_p_fkey_new TO c_p_fkey'],
    });
    expect(differences).toEqual([]);
  });

  it('an index built under a temporary name, swapped in contract', () => {
    const differences = check('index dropped and created again', {
      expand: ['CREATE INDEX CONCURRENTLY IF NOT EXISTS c_email_idx_new ON public.c (lower(email))'],
      contract: [
        'DROP INDEX CONCURRENTLY IF EXISTS public.c_email_idx',
        'ALTER INDEX public.c_email_idx_new RENAME TO c_email_idx',
      ],
    });
    expect(differences).toEqual([]);
  });

  it('a view dropped and created again together in contract', () => {
    expect(
      check('view dropped and created again', {
        contract: ['DROP VIEW v', 'CREATE VIEW v AS SELECT id, a, b FROM vt'],
      }),
    ).toEqual([]);
  });

  it('but not a view created again with another query', () => {
    expect(
      check('view dropped and created again', { contract: ['DROP VIEW v', 'CREATE VIEW v AS SELECT id, b FROM vt'] }),
    ).toEqual(['after contract, view "public"."v" differs from the migration\'s']);
  });
});

describe('the model check reads the plan as the runner runs it', () => {
  it('names a step that does not parse', () => {
    const differences = check('view dropped and created again', {
      contract: ['DROP VIEW v', 'CREATE VIEW v AS SELECT id, a, b FROM'],
    });
    expect(differences[0]).toMatch(/^step contract:2: does not parse: /);
    expect(differences).toContain('after contract, view "public"."v" is missing');
  });

  it('keeps a step ending in a -- comment apart from the next one', () => {
    expect(
      check('view dropped and created again', {
        contract: ['DROP VIEW v -- the old query', 'CREATE VIEW v AS SELECT id, a, b FROM vt'],
      }),
    ).toEqual([]);
  });

  it("runs a backfill where plan.json places it among its phase's steps", () => {
    const backfill = [{ table: { schema: 'public', name: 'c' }, set: '"a2" = "a"', where: 'true', afterSteps: 1 }];
    const migration = 'ALTER TABLE c ADD COLUMN a2 text;';
    const phases = (steps: string[]): CheckedPhase[] => [
      { name: 'backfill', steps: steps.map((sql, i) => ({ id: `backfill:${i + 1}`, sql })), backfills: backfill },
    ];
    const start = startModel();
    expect(
      modelCheck(phases(['ALTER TABLE c ADD COLUMN a2 text', 'SELECT 1']), start, parseSource('m.sql', migration)),
    ).toEqual([]);
    expect(
      modelCheck(phases(['SELECT 1', 'ALTER TABLE c ADD COLUMN a2 text']), start, parseSource('m.sql', migration)),
    ).toEqual(['backfill, backfill 1: column "a2" of "public"."c" does not exist']);
  });

  it('does not blame the plan for what the migration itself meets: a trigger the model does not know, dropped', () => {
    const migration = 'DROP TRIGGER c_legacy ON c;';
    const phases: CheckedPhase[] = [
      { name: 'contract', steps: [{ id: 'contract:1', sql: 'DROP TRIGGER c_legacy ON c' }] },
    ];
    expect(modelCheck(phases, startModel(), parseSource('m.sql', migration))).toEqual([]);
    // but the same problem twice is once more than the migration's
    phases[0]!.steps.push({ id: 'contract:2', sql: 'DROP TRIGGER c_legacy ON c' });
    expect(modelCheck(phases, startModel(), parseSource('m.sql', migration))).toEqual([
      'step contract:2: trigger "c_legacy" on "public"."c" does not exist',
    ]);
  });

  it('a drop IF EXISTS of what an earlier step dropped loses nothing', () => {
    const phases: CheckedPhase[] = [
      {
        name: 'contract',
        steps: [
          { id: 'contract:1', sql: 'DROP VIEW v' },
          { id: 'contract:2', sql: 'DROP VIEW IF EXISTS v' },
        ],
      },
    ];
    expect(modelCheck(phases, startModel(), parseSource('m.sql', 'DROP VIEW v;'))).toEqual([]);
  });
});

describe('the schema model as the check needs it', () => {
  const model = (sql: string, from = startModel()) => {
    replay(parseSource('m.sql', sql), from);
    return from;
  };

  it('a copy is independent of its original', () => {
    const start = startModel();
    const copy = model(
      "ALTER TABLE c ALTER COLUMN a SET DEFAULT 'x'; DROP INDEX c_email_idx; DROP VIEW v; DROP TRIGGER c_stamp ON c;",
      start.clone(),
    );
    expect(start.column({ name: 'c' }, 'a')?.default).toBeUndefined();
    expect(start.indexes.has('public\u0000c_email_idx')).toBe(true);
    expect(start.views.has('public\u0000v')).toBe(true);
    expect(schemaDifferences(start, copy)).toEqual([
      'column "a" of "public"."c" has default \'x\', the migration gives none',
      'index "public"."c_email_idx" is missing',
      'view "public"."v" is missing',
      'trigger "c_stamp" on "public"."c" is missing',
    ]);
  });

  it('compares type, nullability, default and collation of columns, and constraints and index definitions', () => {
    const a = model(
      'ALTER TABLE c ALTER COLUMN a TYPE varchar(10); ALTER TABLE c ALTER COLUMN b SET NOT NULL; CREATE INDEX c_b_idx ON c (b);',
    );
    const b = model(
      'ALTER TABLE c ALTER COLUMN a TYPE varchar(20) COLLATE "C"; CREATE INDEX c_b_idx ON c (lower(b)); ALTER TABLE c ADD CONSTRAINT c_b_check CHECK (b <> \'\');',
    );
    expect(schemaDifferences(a, b)).toEqual([
      'column "a" of "public"."c" has type varchar(20), the migration gives varchar(10)',
      'column "a" of "public"."c" has collation C, the migration gives default',
      'column "b" of "public"."c" has nullability nullable, the migration gives NOT NULL',
      'constraint "c_b_check" of "public"."c" is left over',
      'index "public"."c_b_idx" differs from the migration\'s',
    ]);
  });

  it('knows what PostgreSQL does: INCLUDE columns name a key, ALTER TYPE without COLLATE resets it, DEFAULT NULL is none, ADD VALUE AFTER', () => {
    const m = model(`ALTER TABLE c ADD UNIQUE (b) INCLUDE (a);
CREATE TABLE k (s text COLLATE "C", d text DEFAULT NULL::text);
ALTER TABLE k ALTER COLUMN s TYPE varchar(5);
CREATE TYPE level AS ENUM ('low', 'high');
ALTER TYPE level ADD VALUE 'mid' AFTER 'low';`);
    expect(m.table({ name: 'c' })?.constraints.has('c_b_a_key')).toBe(true);
    expect(m.column({ name: 'k' }, 's')?.collation).toBeUndefined();
    expect(m.column({ name: 'k' }, 'd')?.default).toBeUndefined();
    expect(m.enums.get('public\u0000level')).toEqual(['low', 'mid', 'high']);
  });

  it("foreign keys follow a renamed table; a default cast to its column's type is the same default", () => {
    const m = model(
      "ALTER TABLE p RENAME TO parents; ALTER TABLE c ALTER COLUMN features TYPE jsonb USING features::jsonb, ALTER COLUMN features SET DEFAULT '{}';",
    );
    expect(m.table({ name: 'c' })?.constraints.get('c_p_fkey')?.references?.table).toEqual({
      schema: 'public',
      name: 'parents',
    });
    const cast = model(
      "ALTER TABLE p RENAME TO parents; ALTER TABLE c ALTER COLUMN features TYPE jsonb USING features::jsonb, ALTER COLUMN features SET DEFAULT '{}'::jsonb;",
    );
    expect(schemaDifferences(m, cast)).toEqual([]);
    const other = model(
      "ALTER TABLE p RENAME TO parents; ALTER TABLE c ALTER COLUMN features TYPE jsonb USING features::jsonb, ALTER COLUMN features SET DEFAULT '[]';",
    );
    expect(schemaDifferences(m, other)).toEqual([
      `column "features" of "public"."c" has default '[]', the migration gives '{}'`,
    ]);
  });

  it('says what PostgreSQL would refuse or skip', () => {
    const m = startModel();
    const problem = (sql: string) =>
      parseSource('m.sql', sql)
        .statements.flatMap(normalizeStatement)
        .map((c) => m.check(c)?.message);
    expect(problem('ALTER TABLE c ADD CONSTRAINT c_p_fkey FOREIGN KEY (p_id) REFERENCES p (id)')).toEqual([
      'constraint "c_p_fkey" of "public"."c" already exists',
    ]);
    expect(problem('ALTER TABLE t ADD CONSTRAINT t_x_pk PRIMARY KEY (x)')).toEqual([
      '"public"."t" already has a primary key ("t_pkey")',
    ]);
    expect(problem('DROP TABLE p')).toEqual([
      'table "public"."p" cannot be dropped without CASCADE: constraint "c_p_fkey" of "public"."c" depends on it',
    ]);
    expect(problem('ALTER TABLE c ALTER COLUMN nope SET DEFAULT 1')).toEqual([
      'column "nope" of "public"."c" does not exist',
    ]);
    expect(problem('CREATE TABLE IF NOT EXISTS v (id int)')).toEqual([
      'view "public"."v" already exists (IF NOT EXISTS leaves it as it is)',
    ]);
    expect(problem('DROP INDEX gone_idx; DROP INDEX IF EXISTS gone_idx')).toEqual([
      'index "public"."gone_idx" does not exist',
      undefined,
    ]);
    expect(problem('ALTER TABLE c ADD COLUMN z int; CREATE OR REPLACE VIEW v AS SELECT 1 AS one FROM vt')).toEqual([
      undefined,
      undefined,
    ]);
  });
});

describe('plan() runs the model check on every plan', () => {
  const MIGRATION = 'CREATE INDEX c_b_idx ON c (b);';

  /** The real plan with a planner bug: the index is dropped again in contract. */
  const dropAgain = (planned: Planned): Planned => ({
    ...planned,
    phases: [
      ...planned.phases,
      {
        name: 'contract',
        steps: [
          {
            id: 'contract:bug',
            phase: 'contract',
            sql: 'DROP INDEX CONCURRENTLY IF EXISTS "public"."c_b_idx"',
            transactional: false,
          },
        ],
        backfills: [],
      },
    ],
  });

  async function planWithBug(allowUnsafe: boolean) {
    const dir = tempTree({ 'm/001_start.sql': START, 'm/002_change.sql': MIGRATION });
    injected.bug = dropAgain;
    try {
      const outcome = await plan({
        file: join(dir, 'm/002_change.sql'),
        history: join(dir, 'm'),
        out: join(dir, 'plan'),
        allowUnsafe,
      }).catch((error: unknown) => error);
      return { dir, outcome };
    } finally {
      injected.bug = undefined;
    }
  }

  it('refuses a plan with a planner bug injected, naming the difference, and writes nothing', async () => {
    const { dir, outcome } = await planWithBug(false);
    expect(outcome).toBeInstanceOf(PlanRefused);
    expect((outcome as PlanRefused).exitCode).toBe(1);
    expect((outcome as Error).message).toContain('after contract, index "public"."c_b_idx" is missing');
    expect(existsSync(join(dir, 'plan'))).toBe(false);
  });

  it('with --allow-unsafe, writes it with the difference in plan.json and the README', async () => {
    const { outcome } = await planWithBug(true);
    const dir = (outcome as { dir: string }).dir;
    const manifest = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'));
    expect(manifest.warnings).toEqual(['model check: after contract, index "public"."c_b_idx" is missing']);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('## ⚠ Model check failed');
    expect(readme).toContain('- after contract, index "public"."c_b_idx" is missing');
  });

  it('writes the same migration without the bug, with no warning', async () => {
    const dir = tempTree({ 'm/001_start.sql': START, 'm/002_change.sql': MIGRATION });
    const result = await plan({ file: join(dir, 'm/002_change.sql'), history: join(dir, 'm'), out: join(dir, 'plan') });
    expect(result.manifest.warnings).toEqual([]);
    expect(result.manifest.phases.map((p) => p.name)).toEqual(['expand']);
  });
});
