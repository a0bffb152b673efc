import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';

describe('pgphase plan (CLI)', () => {
  it('writes the plan directory and says what it wrote', () => {
    const dir = tempTree({
      'm/001.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);',
      'm/002_rename.sql': 'ALTER TABLE users RENAME COLUMN name TO full_name;',
    });
    const r = runCli(
      ['plan', 'm/002_rename.sql', '--history', 'm', '--out', 'plans/rename', '--lock-timeout', '500ms'],
      { cwd: dir },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^plan 002_rename written to .*plans\/rename\n {2}1-expand\.sql {2}1 step\n/);
    const manifest = JSON.parse(readFileSync(join(dir, 'plans/rename/plan.json'), 'utf8'));
    expect(manifest.phases.map((p: { name: string }) => p.name)).toEqual(['expand', 'trigger', 'backfill', 'contract']);
    expect(manifest.phases[0].steps[0].lockTimeout).toBe('500ms');
    expect(readFileSync(join(dir, 'plans/rename/1-expand.sql'), 'utf8')).toContain("SET LOCAL lock_timeout = '500ms';");
  });

  it('replays the history the file belongs to when no starting schema is given, as lint does', () => {
    const dir = tempTree({
      'm/001.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);',
      'm/002_rename.sql': 'ALTER TABLE users RENAME COLUMN name TO full_name;',
    });
    const r = runCli(['plan', 'm/002_rename.sql', '--out', 'plans/rename'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'plans/rename/plan.json'), 'utf8'));
    expect(manifest.phases.map((p: { name: string }) => p.name)).toEqual(['expand', 'trigger', 'backfill', 'contract']);
  });

  it('reads the starting schema from a pg_dump file', () => {
    const dir = tempTree({ 'x.sql': 'ALTER TABLE orders ALTER COLUMN note SET NOT NULL;' });
    const r = runCli(['plan', 'x.sql', '--schema', join(process.cwd(), 'fixtures/schema/shop.schema.sql')], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'x/1-contract.sql'), 'utf8')).toContain('CHECK ("note" IS NOT NULL) NOT VALID');
  });

  it('refuses an unsafe change with exit 1 and the reason, and writes nothing', () => {
    const dir = tempTree({ 'x.sql': 'CLUSTER users USING users_pkey;' });
    const r = runCli(['plan', 'x.sql'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot plan this migration safely[\s\S]*x\.sql:1:1: CLUSTER rewrites the table/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('says a reason the changes of one statement share once', () => {
    // each ADD CONSTRAINT of the statement refuses for the table the schema lacks
    const dir = tempTree({
      'x.sql':
        'ALTER TABLE features ADD COLUMN a int, ADD COLUMN b int, ADD CONSTRAINT one CHECK (a > 0), ADD CONSTRAINT two CHECK (b > 0);',
    });
    const r = runCli(['plan', 'x.sql'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.match(/is not in the starting schema/g)).toHaveLength(1);
  });

  it('gives every reason of a refusal on one line', () => {
    const dir = tempTree({ 'x.sql': 'VACUUM FULL users;\nCLUSTER users USING users_pkey;' });
    const r = runCli(['plan', 'x.sql'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'pgphase: cannot plan this migration safely: x.sql:1:1: VACUUM FULL rewrites the table under ACCESS EXCLUSIVE; no phase makes that safe. x.sql:2:1: CLUSTER rewrites the table under ACCESS EXCLUSIVE; no phase makes that safe. Change the migration, or pass --allow-unsafe to place it anyway, with a warning in the plan\n',
    );
  });

  it('exits 2 with one line on bad input', () => {
    const dir = tempTree({
      'bad.sql': 'ALTER TABLE t ADD COLUM x int;',
      'ok.sql': 'CREATE TABLE t (a int);',
      'm/ok.sql': 'SELECT 1;',
    });
    const cases: Array<[string[], RegExp]> = [
      [['plan', 'missing.sql'], /missing\.sql: cannot read \(ENOENT\)/],
      [['plan', 'bad.sql'], /bad\.sql:1:27: syntax error at or near "int"; fix the SQL/],
      [['plan', 'ok.sql', '--batch-size', '0'], /--batch-size 0: expected a whole number/],
      [['plan', 'ok.sql', '--lock-timeout', 'soon'], /--lock-timeout soon: expected a duration/],
      [
        ['plan', 'ok.sql', '--schema', 'a.sql', '--database-url', 'postgres://x/y'],
        /--schema or --database-url, not both/,
      ],
      [
        ['plan', 'ok.sql', '--lock-timeout', '0ms'],
        /^pgphase: --lock-timeout 0ms: expected a duration of at least 1ms like 2s or 500ms \(0 would wait for locks forever\)$/,
      ],
      [
        ['plan', 'ok.sql', '--name', 'bad name!'],
        /^pgphase: --name bad name!: expected 1 to 100 letters, digits, "\.", "_" or "-", starting with a letter or digit$/,
      ],
      [['plan', 'ok.sql', '--out', '/proc/x'], /^pgphase: \/proc\/x: cannot write the plan \(ENOENT\)$/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args, { cwd: dir });
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
    }
  });
});
