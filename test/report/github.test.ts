import { describe, expect, it } from 'vitest';
import { formatResult } from '../../src/report/index.js';
import { CLEAN, MIXED, NASTY_MESSAGE, options } from './fixture.js';

function github(result = MIXED): string {
  return formatResult(result, 'github', options());
}

/** Decodes one workflow command the way the Actions runner does (data and property unescaping). */
function decode(line: string): { command: string; properties: Record<string, string>; data: string } {
  const match = /^::(\w+) ([^:]*)::(.*)$/.exec(line);
  if (!match) throw new Error(`not a workflow command: ${line}`);
  const unescaped = (s: string) =>
    s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  const properties = Object.fromEntries(
    match[2]!.split(',').map((pair) => {
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq), unescaped(pair.slice(eq + 1))];
    }),
  );
  return { command: match[1]!, properties, data: unescaped(match[3]!) };
}

describe('github', () => {
  it('prints one workflow command per finding and nothing else', () => {
    expect(github()).toBe(
      [
        '::error file=migrations/0042_rename.sql,line=2,col=29,endLine=2,endColumn=76,title=rename-column::' +
          'Renaming "users"."名前": breaks 100%25 of reads, a | b%0D%0Asecond line%0A%0ARun `pgphase plan`: expand, backfill, contract',
        '::warning file=db/2024%2C01%3Aadd index.sql,line=1,endLine=3,title=require-concurrent-index::' +
          'CREATE INDEX without CONCURRENTLY blocks writes.%0A%0AUse CREATE INDEX CONCURRENTLY',
        '::error file=migrations/0044_broken.sql,line=1,col=12,endLine=1,endColumn=12,title=syntax-error::' +
          'syntax error at end of input%0A%0AFix the SQL',
        '',
      ].join('\n'),
    );
  });

  it('round-trips through the runner’s unescaping: message, help and properties come back intact', () => {
    const [first, second] = github().trimEnd().split('\n').map(decode);
    expect(first!.command).toBe('error');
    expect(first!.data).toBe(`${NASTY_MESSAGE}\n\nRun \`pgphase plan\`: expand, backfill, contract`);
    expect(second!.command).toBe('warning');
    expect(second!.properties).toEqual({
      file: 'db/2024,01:add index.sql',
      line: '1',
      endLine: '3',
      title: 'require-concurrent-index',
    });
  });

  it('keeps every command on one physical line', () => {
    const lines = github().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toMatch(/\r/);
  });

  it('escapes a literal escape sequence so it is not decoded into a line break', () => {
    const file = { ...MIXED.files[3]!, findings: [{ ...MIXED.files[3]!.findings[0]!, message: 'literal %0A here' }] };
    const out = github({ ...MIXED, files: [file] });
    expect(out).toContain('::literal %250A here%0A%0A');
    expect(decode(out.trimEnd()).data.startsWith('literal %0A here\n\n')).toBe(true);
  });

  it('prints nothing for a clean result', () => {
    expect(github(CLEAN)).toBe('');
  });
});
