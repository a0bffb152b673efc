// Comments that steer the linter:
//   -- pgphase-ignore rule-id[, rule-id]: reason      (the statement it is in, else the next one)
//   -- pgphase-ignore-file rule-id[, rule-id]: reason (the whole file)
//   -- pgphase: no-transaction                        (the tool runs this file outside a transaction)
import type { Comment, Statement } from '../sql/source.js';

export interface IgnoreDirective {
  scope: 'statement' | 'file';
  rules: string[];
  reason: string;
  comment: Comment;
  /** Index of the statement it applies to (scope `statement`): the one it is inside, else the next; -1 when none. */
  statement: number;
  /** Why the directive does not apply, when it does not (missing reason, unknown rule). */
  invalid?: string;
  /** Rule ids it suppressed at least one finding of. */
  used: Set<string>;
}

export interface Directives {
  ignores: IgnoreDirective[];
  noTransaction: boolean;
}

function body(comment: string): string {
  return comment.startsWith('--')
    ? comment.slice(2).trim()
    : comment
        .replace(/^\/\*+/, '')
        .replace(/\*+\/$/, '')
        .trim();
}

/** The statement a statement-scope directive applies to: the first that ends after it, which is the one it is
 *  written inside, else the next one; -1 when none. */
function statementOf(comment: Comment, statements: ReadonlyArray<Pick<Statement, 'end'>>): number {
  return statements.findIndex((s) => s.end >= comment.end);
}

/**
 * Reads the directives of a file. `statements` are the file's statements in order;
 * `known` tells whether a rule id exists.
 */
export function readDirectives(
  comments: Comment[],
  statements: ReadonlyArray<Pick<Statement, 'end'>>,
  known: (id: string) => boolean,
): Directives {
  const ignores: IgnoreDirective[] = [];
  let noTransaction = false;
  for (const comment of comments) {
    const text = body(comment.text);
    if (/^pgphase:\s*no-transaction\b/.test(text)) {
      noTransaction = true;
      continue;
    }
    const m = /^pgphase-ignore(-file)?(?:\s+|$)(.*)$/s.exec(text);
    if (!m) continue;
    const scope = m[1] ? 'file' : 'statement';
    const rest = m[2] ?? '';
    const colon = rest.indexOf(':');
    const ids = (colon === -1 ? rest : rest.slice(0, colon))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const reason = colon === -1 ? '' : rest.slice(colon + 1).trim();
    const directive: IgnoreDirective = {
      scope,
      rules: ids,
      reason,
      comment,
      statement: scope === 'file' ? -1 : statementOf(comment, statements),
      used: new Set(),
    };
    const unknown = ids.filter((id) => !known(id));
    if (ids.length === 0) directive.invalid = 'names no rule';
    else if (unknown.length) directive.invalid = `names unknown rule ${unknown.map((u) => `"${u}"`).join(', ')}`;
    else if (!reason) directive.invalid = 'gives no reason (write `-- pgphase-ignore rule-id: why it is safe`)';
    ignores.push(directive);
  }
  return { ignores, noTransaction };
}

/** The directive that suppresses a finding of `rule` on statement `statement`, if any. */
export function suppressing(
  directives: Directives,
  rule: string,
  statement: number | undefined,
): IgnoreDirective | undefined {
  // an indexed loop, not find: asked for every finding, most often of a file without ignores, and
  // a callback is a closure made and called in code V8 does not optimize (bin/pgphase.cjs)
  const ignores = directives.ignores;
  for (let i = 0; i < ignores.length; i++) {
    const d = ignores[i]!;
    if (
      !d.invalid &&
      d.rules.includes(rule) &&
      (d.scope === 'file' || (statement !== undefined && d.statement === statement))
    )
      return d;
  }
  return undefined;
}
