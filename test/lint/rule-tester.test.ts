// The rule tester (test/helpers/lint.ts) itself: it must catch a rule whose reports do not match
// its messages, whatever the compiler let through (a message id or data built at run time).
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { defineRule, type Rule } from '../../src/lint/rule.js';
import { lintWatched, reportProblems } from '../helpers/lint.js';

const dropColumn = rules.find((r) => r.meta.id === 'drop-column')!;

describe('the rule tester', () => {
  it('sees each report of the watched rule with its message id and data', () => {
    const { result, reported } = lintWatched('drop-column', 'ALTER TABLE users DROP COLUMN name;');
    expect(reported).toEqual([{ messageId: 'default', data: { table: '"users"', column: '"name"' } }]);
    expect(reportProblems(dropColumn, reported, result.findings)).toEqual([]);
  });

  it('names an unknown message id, a placeholder without data, and text left unfilled', () => {
    const rule: Rule = { ...dropColumn, meta: { ...dropColumn.meta, help: 'Fix {{what}}' } };
    const problems = reportProblems(
      rule,
      [
        { messageId: 'gone', data: {} },
        { messageId: 'default', data: { table: 't' } },
      ],
      [
        {
          rule: 'drop-column',
          category: 'breaks-old-code',
          severity: 'error',
          message: 'Dropping column t.{{column}}',
          help: 'Fix {{what}}',
          location: { line: 1, column: 1, endLine: 1, endColumn: 2 },
          docs: '',
        },
      ],
    );
    expect(problems).toEqual([
      'message id "gone" is not one of default, assumed',
      'message "default" names {{column}}, which the report gives no data for',
      'message "default" names {{what}}, which the report gives no data for',
      'unfilled placeholder in: Dropping column t.{{column}} / Fix {{what}}',
    ]);
  });

  it("is backed by the compiler: a report with an unknown id or without a placeholder's data does not type-check", () => {
    const rule = defineRule({
      meta: {
        id: 'x',
        category: 'style',
        severity: 'warning',
        description: 'x',
        messages: { default: 'On {{table}}', other: 'plain' },
        help: 'Fix {{table}}',
      },
      create(context) {
        return {
          change() {
            context.report({ messageId: 'default', data: { table: 't' } });
            // @ts-expect-error: no such message id
            context.report({ messageId: 'missing', data: { table: 't' } });
            // @ts-expect-error: the message and the help name {{table}}
            context.report({ messageId: 'default' });
            // @ts-expect-error: the help names {{table}}, for every message id
            context.report({ messageId: 'other' });
          },
        };
      },
    });
    expect(rule.meta.id).toBe('x');
  });
});
