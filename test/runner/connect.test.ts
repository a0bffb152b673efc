// Connection strings in messages: no password, whole or in part, reaches the output, and a
// string that is not a URL is one line naming --database-url.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import { redact } from '../../src/runner/connect.js';
import { runCli, tempTree } from '../helpers/cli.js';

describe('redact', () => {
  it('hides a password with an unencoded @ or / whole', () => {
    expect(redact('postgres://postgres:pa@ss@127.0.0.1:5999/x')).toBe('postgres://postgres:***@127.0.0.1:5999/x');
    expect(redact('postgres://postgres:pa/ss@127.0.0.1:5999/x')).toBe('postgres://postgres:***@127.0.0.1:5999/x');
    expect(redact('postgres://127.0.0.1:5432/x')).toBe('postgres://127.0.0.1:5432/x');
  });

  it('hides the password of a keyword/value string, quoted or not', () => {
    expect(redact('host=127.0.0.1 port=5999 password=s3cretpw')).toBe('host=127.0.0.1 port=5999 password=***');
    expect(redact("host=h password = 's3 \\' cret' dbname=x")).toBe('host=h password = *** dbname=x');
    expect(redact('host=h PASSWORD=a&b dbname=x')).toBe('host=h PASSWORD=*** dbname=x');
  });
});

describe('pgphase run --database-url', async () => {
  const dir = tempTree({
    'm/001.sql': 'CREATE TABLE t (id int PRIMARY KEY);',
    'm/002.sql': 'ALTER TABLE t ADD COLUMN x int;',
  });
  const p = await plan({ file: join(dir, 'm/002.sql'), history: join(dir, 'm'), out: join(dir, 'p') });

  it.each([
    [
      'postgres://postgres:pa@ss@127.0.0.1:5999/x',
      'pgphase: cannot connect to postgres://postgres:***@127.0.0.1:5999/x: connect ECONNREFUSED 127.0.0.1:5999;',
      'pa@ss',
    ],
    [
      'host=127.0.0.1 port=5999 password=s3cretpw',
      'pgphase: host=127.0.0.1 port=5999 password=*** is not a connection URL (keyword/value strings are not supported): give one like postgres://',
      's3cretpw',
    ],
    [
      'not a url',
      'pgphase: not a url is not a connection URL (it names no scheme): give one like postgres://',
      'getaddrinfo',
    ],
    [
      'postgres://postgres:pa/ss@127.0.0.1:5999/x',
      'pgphase: postgres://postgres:***@127.0.0.1:5999/x is not a connection URL (Invalid URL): give one like postgres://',
      'pa/ss',
    ],
  ])('%s: exit 2, one line, no password', (url, start, password) => {
    const r = runCli(['run', p.dir, 'expand', '--database-url', url]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.startsWith(start)).toBe(true);
    expect(r.stderr).toContain('--database-url');
    expect(r.stderr).not.toContain(password);
  });

  it('takes an empty DATABASE_URL for none: the PG* variables name the database', () => {
    const r = runCli(['run', p.dir, 'expand'], { env: { DATABASE_URL: '', PGHOST: '127.0.0.1', PGPORT: '1' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^pgphase: cannot connect to the database given by the PG\* variables: connect ECONNREFUSED 127\.0\.0\.1:1;/,
    );
  });
});
