// A file's line of the JSON report (`fileJson`): the text JSON.stringify gives the file's contract
// fields, whatever its strings hold.
import { describe, expect, it } from 'vitest';
import type { FileResult } from '../../src/lint/engine.js';
import { fileJson, fileLine } from '../../src/lint/result.js';
import type { Finding } from '../../src/lint/rule.js';

const at = (line: number, column: number) => ({ line, column, endLine: line + 1, endColumn: column + 7 });

function finding(message: string, help: string, extra: Partial<Finding> = {}): Finding {
  return {
    rule: 'add-foreign-key',
    category: 'breaks-old-code',
    severity: 'warning',
    message,
    help,
    location: at(3, 1),
    docs: 'rules/add-foreign-key.md',
    ...extra,
  };
}

/** What the contract holds of a file, in its order, as JSON.stringify writes it: the fields of CLI.md's
 *  `--format json`, each object's in the order it gives them (a file: path, class, statements, findings;
 *  a statement: index, class, kinds, location; a finding: rule … help, location, docs). A replacer
 *  array keeps those keys only, in its own order, at every level. */
const contract = (file: FileResult): string =>
  JSON.stringify(file, [
    'path',
    'index',
    'class',
    'statements',
    'kinds',
    'findings',
    'rule',
    'category',
    'severity',
    'message',
    'help',
    'location',
    'line',
    'column',
    'endLine',
    'endColumn',
    'docs',
  ]);

const strings = [
  '',
  'The foreign key "t0"("user_id") → "users" makes writes fail',
  'Add `CREATE INDEX CONCURRENTLY … ON "orders" ("user_id")`',
  'quotes "," and "", a comma: ","',
  'a backslash at the end \\',
  '\\","\\',
  'ends in a quote and a comma ",',
  'control\ncharacters\t\u0000\u001f and \u007f',
  'lone \ud800 surrogates \udfff, a pair 🐘',
  'Column "café" is "größe"',
];

describe('fileJson', () => {
  it('is the text JSON.stringify gives the contract fields, whatever the strings hold', () => {
    for (const path of ['m/001.sql', 'm/"q\\uotes".sql', 'm/🐘 ","'])
      for (const message of strings)
        for (const help of strings) {
          const file: FileResult = {
            path,
            class: 'destructive',
            statements: [
              { index: 0, class: 'additive', kinds: ['create-table'], location: at(1, 1) },
              { index: 1, class: 'destructive', kinds: [], location: at(2, 1) },
              { index: 2, class: 'destructive', kinds: ['add-constraint', 'validate-constraint'], location: at(3, 1) },
            ],
            findings: [finding(message, help), finding(help, message, { lock: 'ACCESS EXCLUSIVE on "t0"' })],
          };
          expect(fileJson(file)).toBe(contract(file));
        }
  });

  it('holds a file with no statements and no findings', () => {
    const file: FileResult = { path: '', class: 'additive', statements: [], findings: [] };
    expect(fileJson(file)).toBe('{"path":"","class":"additive","statements":[],"findings":[]}');
  });

  it('leaves out what the engine adds beyond the contract', () => {
    const file = {
      path: 'm/001.sql',
      class: 'additive',
      statements: [
        {
          index: 0,
          class: 'additive',
          kinds: ['create-table'],
          location: at(1, 1),
          text: 'CREATE',
        } as FileResult['statements'][number],
      ],
      findings: [{ ...finding('m', 'h'), lock: 'SHARE on "t"', fix: { text: '' } } as Finding],
      extra: true,
    } as FileResult;
    expect(fileJson(file)).toBe(contract(file));
    expect(fileJson(file)).not.toMatch(/lock|fix|text|extra/);
    expect(fileLine(file).locks).toEqual([[0, 'SHARE on "t"']]);
  });

  it('is what JSON.stringify gives when a message or help is not a string', () => {
    const file: FileResult = {
      path: 'm/001.sql',
      class: 'additive',
      statements: [],
      findings: [finding('m', undefined as unknown as string), finding(null as unknown as string, 'h')],
    };
    expect(fileJson(file)).toBe(contract(file));
  });
});
