// Comments that steer the linter:
//   -- pgphase-ignore rule-id[, rule-id]: reason      (the next statement)
//   -- pgphase-ignore-file rule-id[, rule-id]: reason (the whole file)
//   -- pgphase: no-transaction                        (the tool runs this file outside a transaction)
import type { Comment } from '../sql/source.js';

export interface IgnoreDirective {
  scope: 'statement' | 'file';
  rules: string[];
  reason: string;
  comment: Comment;
  /** Index of the statement it applies to (scope `statement`), -1 when none follows. */
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
  return comment.startsWith('--') ? comment.slice(2).trim() : comment.replace(/^\/\*+/, '').replace(/\*+\/$/, '').trim();
}

/**
 * Reads the directives of a file. `statementStarts` are the statements' start byte
 * offsets in order; `known` tells whether a rule id exists.
 */
export function readDirectives(comments: Comment[], statementStarts: number[], known: (id: string) => boolean): Directives {
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
    const next = statementStarts.findIndex((start) => start >= comment.end);
    const directive: IgnoreDirective = { scope, rules: ids, reason, comment, statement: scope === 'file' ? -1 : next, used: new Set() };
    const unknown = ids.filter((id) => !known(id));
    if (ids.length === 0) directive.invalid = 'names no rule';
    else if (unknown.length) directive.invalid = `names unknown rule ${unknown.map((u) => `"${u}"`).join(', ')}`;
    else if (!reason) directive.invalid = 'gives no reason (write `-- pgphase-ignore rule-id: why it is safe`)';
    ignores.push(directive);
  }
  return { ignores, noTransaction };
}

/** The directive that suppresses a finding of `rule` on statement `statement`, if any. */
export function suppressing(directives: Directives, rule: string, statement: number | undefined): IgnoreDirective | undefined {
  return directives.ignores.find(
    (d) => !d.invalid && d.rules.includes(rule) && (d.scope === 'file' || (statement !== undefined && d.statement === statement)),
  );
}
