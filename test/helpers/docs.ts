// Rule doc pages (rules/<id>.md): their sections, and the examples in them with the settings
// written before each (`<!-- history: … -->`, the schema the example runs on; `<!-- transaction: … -->`).
import { fileURLToPath } from 'node:url';
import type { TransactionModel } from '../../src/lint/rule.js';

export const RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));
const TRANSACTIONS: readonly TransactionModel[] = ['per-file', 'implicit', 'none'];

export interface Example {
  sql: string;
  history?: string;
  transaction?: TransactionModel;
}

export interface Doc {
  title: string;
  metaLine: string;
  summary: string;
  headings: string[];
  sections: Map<string, string>;
}

export function docPath(id: string): string {
  return `${RULES_DIR}${id}.md`;
}

export function parseDoc(text: string): Doc {
  const [head = '', ...parts] = text.split(/^## /m);
  const [title = '', ...intro] = head.split('\n');
  const paragraphs = intro
    .join('\n')
    .trim()
    .split(/\n\s*\n/);
  const sections = new Map<string, string>();
  const headings: string[] = [];
  for (const part of parts) {
    const newline = part.indexOf('\n');
    const heading = (newline === -1 ? part : part.slice(0, newline)).trim();
    headings.push(heading);
    sections.set(heading, newline === -1 ? '' : part.slice(newline + 1));
  }
  return {
    title,
    metaLine: paragraphs[0]?.trim() ?? '',
    summary: paragraphs.slice(1).join('\n\n').trim(),
    headings,
    sections,
  };
}

/** The one ```sql block of a section, with the `<!-- history: … -->` / `<!-- transaction: … -->` comments before it. */
export function example(section: string | undefined, name: string): Example {
  if (section === undefined) throw new Error(`no "${name}" section`);
  const blocks = [...section.matchAll(/^```sql\n([\s\S]*?)^```$/gm)];
  if (blocks.length !== 1) throw new Error(`"${name}" has ${blocks.length} sql code blocks, expected 1`);
  const block = blocks[0]!;
  const before = section.slice(0, block.index);
  const result: Example = { sql: block[1]! };
  const rest = before.replace(/<!--\s*([\w-]+):\s*([\s\S]*?)\s*-->/g, (_whole, key: string, value: string) => {
    if (key === 'history') result.history = value;
    else if (key === 'transaction') {
      if (!TRANSACTIONS.includes(value as TransactionModel))
        throw new Error(`"${name}": unknown transaction model "${value}"`);
      result.transaction = value as TransactionModel;
    } else throw new Error(`"${name}": unknown example setting "${key}"`);
    return '';
  });
  if (rest.trim() !== '') throw new Error(`"${name}" has text before its code block: ${JSON.stringify(rest.trim())}`);
  return result;
}
