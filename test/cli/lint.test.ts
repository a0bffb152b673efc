import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';

function json(stdout: string) {
  return JSON.parse(stdout) as {
    files: Array<{
      path: string;
      class: string;
      findings: Array<{ rule: string; severity: string; location: { line: number; column: number } }>;
    }>;
    summary: { files: number; statements: number; errors: number; warnings: number };
  };
}

describe('pgphase (CLI)', () => {
  it('prints help and version', () => {
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('lint');
    const version = runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 with one line for an unknown flag, a missing file and a bad flag value', () => {
    for (const args of [
      ['lint', '--nope'],
      // a near miss, which commander answers with a suggestion on a line of its own
      ['lint', '--formt', 'json', 'x.sql'],
      ['lint', 'no/such/file.sql'],
      ['lint', '--pg-version', '9', 'x.sql'],
      ['lint', '--rule', 'drop-column=loud', 'x.sql'],
      ['lint', '--format', 'xml', 'x.sql'],
      ['bogus'],
    ]) {
      const r = runCli(args);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^pgphase: /);
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    }
    expect(runCli(['lint', 'no/such/file.sql']).stderr).toContain('no/such/file.sql: no such file or directory');
    expect(runCli(['lint', '--formt', 'json', 'x.sql']).stderr).toBe(
      "pgphase: unknown option '--formt' (Did you mean --format?) (see `pgphase --help`)\n",
    );
  });

  it('keeps an error on one line when it quotes a line break (a file name, a token of a schema dump)', () => {
    const dir = tempTree({
      'dump.sql': "CREATE TABLE t (a int);\nSELECT 1 'two\r\nlines';\n",
      'm/001.sql': 'SELECT 1;\n',
    });
    const dump = runCli(['lint', 'm', '--schema', 'dump.sql'], { cwd: dir });
    expect([dump.code, dump.stderr]).toEqual([
      2,
      `pgphase: ${join(dir, 'dump.sql')}:2:10: schema file does not parse: syntax error at or near "'two\\r\\nlines'"\n`,
    ]);
    const name = runCli(['lint', 'no\nsuch.sql'], { cwd: dir });
    expect([name.code, name.stderr]).toEqual([
      2,
      `pgphase: ${join(dir, 'no\\nsuch.sql')}: no such file or directory\n`,
    ]);
  });

  it('prints the stack trace only with --debug', () => {
    const dir = tempTree({ 'pgphase.config.json': '{"pgVersion": "fifteen"}', 'm/1.sql': 'SELECT 1;' });
    const plain = runCli(['lint', 'm'], { cwd: dir });
    expect(plain.code).toBe(2);
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    const debug = runCli(['lint', 'm', '--debug'], { cwd: dir });
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('lints a directory: exit 1 on errors, JSON with classes and findings', () => {
    const dir = tempTree({
      'migrations/001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);',
      'migrations/002_add.sql': "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN email text;",
      'migrations/003_rename.sql': "SET lock_timeout = '2s';\nALTER TABLE users RENAME COLUMN name TO full_name;",
    });
    const r = runCli(['lint', 'migrations', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const out = json(r.stdout);
    expect(out.files.map((f) => [f.path, f.class])).toEqual([
      ['migrations/001_init.sql', 'additive'],
      ['migrations/002_add.sql', 'additive'],
      ['migrations/003_rename.sql', 'destructive'],
    ]);
    expect(out.files[2]!.findings.map((f) => `${f.rule}@${f.location.line}:${f.location.column}`)).toEqual([
      'rename-column@2:1',
    ]);
    expect(out.summary).toEqual({ files: 3, statements: 5, errors: 1, warnings: 0 });
  });

  it('replays the history before a single file, so the table is known to exist', () => {
    const dir = tempTree({
      'm/1.sql': 'CREATE TABLE users (id int PRIMARY KEY, email varchar(50));',
      'm/2.sql': "SET lock_timeout = '2s';\nALTER TABLE users ALTER COLUMN email TYPE varchar(20);",
    });
    const r = runCli(['lint', 'm/2.sql', '--format', 'json'], { cwd: dir });
    const findings = json(r.stdout).files[0]!.findings;
    expect(findings.map((f) => f.rule)).toEqual(['change-column-type', 'column-type-rewrite', 'narrowing-type-change']);
    expect(r.stdout).toContain('from varchar(50) to varchar(20)');
  });

  it('reports a syntax error at its place and goes on with the other files', () => {
    const dir = tempTree({ 'm/1.sql': 'SELECT 1;\nALTER TABLE t ADD COLUM x int;', 'm/2.sql': 'DROP TABLE users;' });
    const out = json(runCli(['lint', 'm', '--format', 'json'], { cwd: dir }).stdout);
    expect(out.files.map((f) => f.findings.map((x) => `${x.rule}@${x.location.line}:${x.location.column}`))).toEqual([
      ['syntax-error@2:27'],
      ['drop-table@1:1', 'missing-lock-timeout@1:1'],
    ]);
  });

  it('applies --rule, config severities, --pg-version and --max-warnings', () => {
    const dir = tempTree({ 'm/1.sql': "SET lock_timeout = '1s';\nALTER TABLE users ALTER COLUMN a DROP DEFAULT;" });
    expect(runCli(['lint', 'm'], { cwd: dir }).code).toBe(0);
    expect(runCli(['lint', 'm', '--max-warnings', '0'], { cwd: dir }).code).toBe(1);
    expect(runCli(['lint', 'm', '--rule', 'drop-default=error'], { cwd: dir }).code).toBe(1);
    expect(runCli(['lint', 'm', '--rule', 'drop-default=off', '--max-warnings', '0'], { cwd: dir }).code).toBe(0);
    writeFileSync(join(dir, 'pgphase.config.json'), JSON.stringify({ rules: { 'drop-default': 'error' } }));
    expect(runCli(['lint', 'm'], { cwd: dir }).code).toBe(1);
    // a flag wins over the config
    expect(runCli(['lint', 'm', '--rule', 'drop-default=off'], { cwd: dir }).code).toBe(0);
    const enumDir = tempTree({
      'pgphase.config.json': '{"transaction": "per-file"}',
      'm/1.sql': "ALTER TYPE mood ADD VALUE 'meh';",
    });
    expect(runCli(['lint', 'm', '--pg-version', '11'], { cwd: enumDir }).code).toBe(1);
    expect(runCli(['lint', 'm', '--pg-version', '12'], { cwd: enumDir }).code).toBe(0);
  });

  it('rejects a bad config with the key and what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"pgVersion": 9}', /pgphase\.config\.json: pgVersion: .*11/],
      ['{"rules": {"drop-column": "loud"}}', /rules\.drop-column: /],
      ['{"rules": {"no-such-rule": "off"}}', /rules\.no-such-rule: unknown rule/],
      ['{"colour": true}', /unknown key "colour"/],
      ['{not json', /invalid JSON/],
    ];
    for (const [config, message] of cases) {
      const dir = tempTree({ 'pgphase.config.json': config, 'm/1.sql': 'SELECT 1;' });
      const r = runCli(['lint', 'm'], { cwd: dir });
      expect([config, r.code]).toEqual([config, 2]);
      expect(r.stderr).toMatch(message);
    }
  });

  it('finds the nearest config per directory in a monorepo, and package.json#pgphase', () => {
    const dir = tempTree({
      'services/a/pgphase.config.json': JSON.stringify({ rules: { 'drop-table': 'off' } }),
      'services/a/migrations/1.sql': "SET lock_timeout = '1s';\nDROP TABLE old;",
      'services/b/package.json': JSON.stringify({ name: 'b', pgphase: { rules: { 'drop-table': 'warning' } } }),
      'services/b/migrations/1.sql': "SET lock_timeout = '1s';\nDROP TABLE old;",
      'services/c/migrations/1.sql': "SET lock_timeout = '1s';\nDROP TABLE old;",
    });
    const out = json(
      runCli(['lint', 'services/a/migrations', 'services/b/migrations', 'services/c/migrations', '--format', 'json'], {
        cwd: dir,
      }).stdout,
    );
    expect(out.files.map((f) => f.findings.map((x) => `${x.rule}:${x.severity}`))).toEqual([
      [],
      ['drop-table:warning'],
      ['drop-table:error'],
    ]);
  });

  it('finds a config in a migration directory of a history, and none where the listing holds none', () => {
    // the directories of a Prisma history are listed once: the config search reads their names from that listing
    const drop = "SET lock_timeout = '1s';\nDROP TABLE old;";
    const dir = tempTree({
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"',
      'prisma/migrations/20240101000000_a/migration.sql': drop,
      'prisma/migrations/20240102000000_b/pgphase.config.json': JSON.stringify({ rules: { 'drop-table': 'off' } }),
      'prisma/migrations/20240102000000_b/migration.sql': drop,
    });
    const out = json(runCli(['lint', 'prisma/migrations', '--format', 'json'], { cwd: dir }).stdout);
    expect(out.files.map((f) => [f.path, f.findings.map((x) => x.rule)])).toEqual([
      ['prisma/migrations/20240101000000_a/migration.sql', ['drop-table']],
      ['prisma/migrations/20240102000000_b/migration.sql', []],
    ]);
  });

  it('shows the lock of each finding in the markdown report, the one format with a column for it', () => {
    // the CLI works the locks out only for markdown: a regression would leave the column empty
    const dir = tempTree({
      'm/001.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, note text);',
      'm/002.sql': 'CREATE INDEX orders_note ON orders (note);',
    });
    const r = runCli(['lint', 'm/002.sql', '--format', 'markdown'], { cwd: dir });
    expect(
      r.stdout.split('\n').filter((l) => l.startsWith('| ') && l.includes('create-index-non-concurrently')),
    ).toEqual([expect.stringContaining('| SHARE on "orders" |')]);
  });

  it('lints two services of a monorepo in one run, each with its own pgVersion and rules', () => {
    const migration =
      "SET lock_timeout = '1s';\nALTER TYPE mood ADD VALUE 'meh';\nDROP TABLE old;\nCREATE TABLE t (id bigint PRIMARY KEY, v varchar(20));\n";
    const dir = tempTree({
      'services/billing/pgphase.config.json': JSON.stringify({
        pgVersion: 11,
        transaction: 'per-file',
        rules: { 'drop-table': 'off' },
      }),
      'services/billing/migrations/001_x.sql': migration,
      'services/search/pgphase.config.json': JSON.stringify({
        pgVersion: 16,
        transaction: 'per-file',
        rules: { 'drop-table': 'warning', 'prefer-text': 'error' },
      }),
      'services/search/migrations/001_x.sql': migration,
    });
    const r = runCli(['lint', 'services/billing/migrations', 'services/search/migrations', '--format', 'json'], {
      cwd: dir,
    });
    expect(r.code).toBe(1);
    expect(
      json(r.stdout).files.map((f) => [f.path, f.findings.map((x) => `${x.rule}:${x.severity}@${x.location.line}`)]),
    ).toEqual([
      // PostgreSQL 11 cannot add an enum value inside a transaction; DROP TABLE is allowed here
      [
        'services/billing/migrations/001_x.sql',
        ['concurrently-in-transaction:error@2', 'statements-after-exclusive-lock:warning@4'],
      ],
      // PostgreSQL 16 can; this service warns on DROP TABLE and forbids varchar(n)
      [
        'services/search/migrations/001_x.sql',
        ['drop-table:warning@3', 'statements-after-exclusive-lock:warning@4', 'prefer-text:error@4'],
      ],
    ]);
  });

  it('skips files matched by ignorePaths and lints config.migrations when no path is given', () => {
    const dir = tempTree({
      'pgphase.config.json': JSON.stringify({ migrations: 'db', ignorePaths: ['db/legacy_*.sql'] }),
      'db/legacy_001.sql': 'DROP TABLE a;',
      'db/z_002.sql': 'CREATE TABLE b (id int);',
    });
    const out = json(runCli(['lint', '--format', 'json'], { cwd: dir }).stdout);
    expect(out.files.map((f) => f.path)).toEqual(['db/z_002.sql']);
  });

  it('keeps results with --cache (default or given directory) and prints the same report from them', () => {
    const dir = tempTree({ 'm/001.sql': 'CREATE TABLE t (id int);\n', 'm/002.sql': 'CREATE INDEX t_id ON t (id);\n' });
    const first = runCli(['lint', 'm', '--cache', '--format', 'json'], { cwd: dir });
    expect(first.code).toBe(1);
    expect(existsSync(join(dir, '.pgphase-cache', 'lint.cache'))).toBe(true);
    const again = runCli(['lint', 'm', '--cache', '--format', 'json'], { cwd: dir });
    expect(again).toEqual(first);
    const elsewhere = runCli(['lint', 'm', '--cache', 'tmp/c', '--format', 'json'], { cwd: dir });
    expect(elsewhere.stdout).toBe(first.stdout);
    expect(existsSync(join(dir, 'tmp', 'c', 'lint.cache'))).toBe(true);
    // a baseline holds back findings of results the cache gave: the report is a run's without it
    writeFileSync(join(dir, 'm', '003.sql'), 'ALTER TABLE t ADD COLUMN n int NOT NULL;\n');
    expect(runCli(['lint', 'm/002.sql', '--write-baseline'], { cwd: dir }).code).toBe(0);
    const held = runCli(['lint', 'm', '--format', 'json'], { cwd: dir });
    expect(json(held.stdout).summary.errors).toBeGreaterThan(0);
    for (let run = 0; run < 2; run++)
      expect(runCli(['lint', 'm', '--cache', '--format', 'json'], { cwd: dir }).stdout).toBe(held.stdout);
  });

  it('lints standard input as the named file', () => {
    const dir = tempTree({ 'm/1.sql': 'CREATE TABLE users (id int);' });
    const r = runCli(['lint', '--stdin-filename', 'm/2.sql', '--format', 'json'], {
      cwd: dir,
      input: 'SELECT 1;\nALTER TABLE users DROP COLUMN id;',
    });
    expect(r.code).toBe(1);
    expect(json(r.stdout).files[0]!.findings.map((f) => `${f.rule}@${f.location.line}`)).toEqual([
      'drop-column@2',
      'missing-lock-timeout@2',
    ]);
  });

  it('lints standard input with the layout of the named file: a dbmate down section stays out', () => {
    const r = runCli(
      ['lint', '--stdin-filename', 'fixtures/dbmate/20240210080000_rename_users_name.sql', '--format', 'json'],
      {
        input:
          "-- migrate:up\nSET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN x text;\n\n-- migrate:down\nDROP TABLE users;\n",
      },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).files[0].findings).toEqual([]);
  });

  it('chooses github annotations under GitHub Actions and honours NO_COLOR', () => {
    const dir = tempTree({ 'm/1.sql': 'DROP TABLE users;' });
    const gh = runCli(['lint', 'm'], { cwd: dir, env: { GITHUB_ACTIONS: 'true' } });
    expect(gh.stdout).toMatch(/^::error file=m\/1\.sql,line=1,col=1,/m);
    const plain = runCli(['lint', 'm'], { cwd: dir, env: { NO_COLOR: '1', FORCE_COLOR: undefined } });
    expect(plain.stdout).not.toMatch(/\u001b\[/);
    const forced = runCli(['lint', 'm'], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(/\u001b\[/);
  });

  it('lints only staged migrations with --staged, and changes since a ref with --changed-since', () => {
    const dir = tempTree({ 'm/1.sql': 'CREATE TABLE users (id int);' });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init');
    writeFileSync(join(dir, 'm/2.sql'), 'DROP TABLE users;');
    writeFileSync(join(dir, 'm/3.sql'), 'ALTER TABLE users ADD COLUMN a int;');
    writeFileSync(join(dir, 'notes.txt'), 'not sql');
    git('add', 'm/2.sql', 'notes.txt');
    const staged = json(runCli(['lint', '--staged', '--format', 'json'], { cwd: dir }).stdout);
    expect(staged.files.map((f) => f.path)).toEqual(['m/2.sql']);
    const changed = json(runCli(['lint', '--changed-since', 'main', '--format', 'json'], { cwd: dir }).stdout);
    expect(changed.files.map((f) => f.path)).toEqual(['m/2.sql']);
    git('add', 'm/3.sql');
    const both = json(runCli(['lint', '--changed-since', 'HEAD', '--format', 'json'], { cwd: dir }).stdout);
    expect(both.files.map((f) => f.path)).toEqual(['m/2.sql', 'm/3.sql']);
    // outside a repository, git says so for both
    const outside = tempTree({ 'x.sql': 'SELECT 1;' });
    for (const flags of [['--changed-since', 'HEAD'], ['--staged']]) {
      const none = runCli(['lint', ...flags], { cwd: outside });
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/^pgphase: git rev-parse --show-toplevel: fatal: not a git repository/);
    }
  });

  it('says when a file it is given is not linted: a down migration, which its tool does not apply as one', () => {
    const dir = tempTree({
      'db/001_users.up.sql': 'CREATE TABLE users (id int);',
      'db/001_users.down.sql': 'DROP TABLE users;',
    });
    const down = runCli(['lint', 'db/001_users.down.sql'], { cwd: dir });
    expect(down.code).toBe(0);
    expect(down.stderr).toBe(
      'pgphase: db/001_users.down.sql: not linted: its migration tool does not apply it as a migration (`pgphase lint --list <dir>` says why: a down migration, say)\n',
    );
    expect(json(runCli(['lint', 'db/001_users.down.sql', '--format', 'json'], { cwd: dir }).stdout).files).toEqual([]);
    const up = runCli(['lint', 'db/001_users.up.sql', 'db'], { cwd: dir });
    expect(up.stderr).toBe('');
  });

  it('leaves plan files out of --staged and explicit files, and limits --staged to the given paths', () => {
    const dir = tempTree({
      'a/m/001.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);',
      'b/m/001.sql': 'CREATE TABLE t (id bigint PRIMARY KEY);',
    });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    writeFileSync(join(dir, 'a/m/002_rename.sql'), 'ALTER TABLE users RENAME COLUMN name TO full_name;');
    expect(runCli(['plan', 'a/m/002_rename.sql', '--history', 'a/m'], { cwd: dir }).code).toBe(0);
    writeFileSync(join(dir, 'b/m/002.sql'), 'DROP TABLE t;');
    git('add', '.');
    // the plan's contract drops "name" on purpose: linted as a migration it would be an error
    const staged = json(runCli(['lint', '--staged', '--format', 'json'], { cwd: dir }).stdout);
    expect(staged.files.map((f) => f.path)).toEqual([
      'a/m/001.sql',
      'a/m/002_rename.sql',
      'b/m/001.sql',
      'b/m/002.sql',
    ]);
    const onlyB = json(runCli(['lint', '--staged', 'b', '--format', 'json'], { cwd: dir }).stdout);
    expect(onlyB.files.map((f) => f.path)).toEqual(['b/m/001.sql', 'b/m/002.sql']);
    const planFiles = runCli(
      ['lint', 'a/m/002_rename/4-contract.sql', 'a/m/002_rename/1-expand.sql', '--format', 'json'],
      { cwd: dir },
    );
    expect([planFiles.code, json(planFiles.stdout).summary.files]).toEqual([0, 0]);
  });

  it('prints a valid empty report when git lists no migration file', () => {
    const dir = tempTree({ 'm/1.sql': 'CREATE TABLE users (id int);', 'notes.txt': 'x' });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('add', 'notes.txt');
    for (const [format, empty] of [
      ['gitlab', []],
      ['json', { version: 1, files: [], summary: { files: 0, statements: 0, errors: 0, warnings: 0 } }],
    ] as const) {
      const r = runCli(['lint', '--staged', '--format', format], { cwd: dir });
      expect([format, r.code, JSON.parse(r.stdout)]).toEqual([format, 0, empty]);
      expect(r.stderr).toBe('pgphase: no migration files to lint\n');
    }
  });

  it("lists the rules and prints one rule's doc", () => {
    const list = runCli(['rules']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^drop-column\s+breaks-old-code\s+error\s+/m);
    const one = runCli(['rules', 'rename-column']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^# rename-column/);
    expect(runCli(['rules', 'nope']).code).toBe(2);
  });
});
