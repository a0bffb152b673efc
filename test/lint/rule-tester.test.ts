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

  it('names an unknown message id, a placeholder without data, an empty help, and text left unfilled', () => {
    const { messages } = dropColumn.meta;
    const rule: Rule = {
      ...dropColumn,
      meta: { ...dropColumn.meta, messages: { ...messages, default: { ...messages.default!, help: 'Fix {{what}}' } } },
    };
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
        {
          rule: 'drop-column',
          category: 'breaks-old-code',
          severity: 'error',
          message: 'Dropping column t.c',
          help: ' ',
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
      'no help for: Dropping column t.c',
    ]);
  });

  it("is backed by the compiler: a report with an unknown id or without the data of its message's placeholders and its help's does not type-check", () => {
    const rule = defineRule({
      meta: {
        id: 'x',
        category: 'style',
        severity: 'warning',
        description: 'x',
        messages: {
          default: { message: 'On {{table}}', help: 'Fix {{column}}' },
          other: { message: 'plain', help: 'Do it' },
        },
      },
      create(context) {
        return {
          change() {
            context.report({ messageId: 'default', data: { table: 't', column: 'c' } });
            // its message and its help name nothing, and the other message's help is not its own
            context.report({ messageId: 'other' });
            // @ts-expect-error: no such message id
            context.report({ messageId: 'missing', data: { table: 't' } });
            // @ts-expect-error: the message names {{table}}
            context.report({ messageId: 'default', data: { column: 'c' } });
            // @ts-expect-error: the message's help names {{column}}
            context.report({ messageId: 'default', data: { table: 't' } });
            // @ts-expect-error: for a choice of ids, the data of each
            context.report({ messageId: Math.random() < 0.5 ? 'default' : 'other' });
          },
        };
      },
    });
    expect(rule.meta.id).toBe('x');
  });
});
