// A rule's doc page (rules/<id>.md) read into its sections, for hover and `explain_rule`.
import { readFileSync } from 'node:fs';
import { ruleDocPath } from '../meta.js';

export interface RuleDoc {
  /** The whole page. */
  text: string;
  /** The text under each `## ` heading, by heading ("Why", "Incorrect", "Correct", …). */
  sections: Map<string, string>;
}

const docs = new Map<string, RuleDoc | undefined>();

/** The doc page of a rule; undefined when it is missing from the installation. */
export function ruleDoc(id: string): RuleDoc | undefined {
  if (docs.has(id)) return docs.get(id);
  let doc: RuleDoc | undefined;
  try {
    const text = readFileSync(ruleDocPath(id), 'utf8');
    const sections = new Map<string, string>();
    for (const part of text.split(/^## /m).slice(1)) {
      const newline = part.indexOf('\n');
      sections.set(part.slice(0, newline).trim(), part.slice(newline + 1).trim());
    }
    doc = { text, sections };
  } catch {
    doc = undefined;
  }
  docs.set(id, doc);
  return doc;
}

/** The first paragraph of a section. */
export function firstParagraph(section: string | undefined): string | undefined {
  return section?.split(/\n\s*\n/)[0]?.trim();
}
