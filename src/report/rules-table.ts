// The rule table of the README, generated from the registry's metadata.
import type { RuleMeta } from '../lint/rule.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function rulesTable(rules: readonly RuleMeta[]): string {
  const rows = rules.map((r) => {
    const pg = r.pgVersion
      ? ` (PostgreSQL ${r.pgVersion.min ?? ''}${r.pgVersion.max === undefined ? '+' : `–${r.pgVersion.max}`})`
      : '';
    return `| [\`${r.id}\`](rules/${r.id}.md) | ${r.category} | ${r.severity} | ${cell(r.description)}${pg} |`;
  });
  return ['| rule | category | default | flags |', '|---|---|---|---|', ...rows].join('\n');
}
