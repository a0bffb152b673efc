// Reporters: pure functions from a LintResult to the text the CLI prints. They never
// read the environment or write anywhere; the CLI decides colour and where output goes.
import type { LintResult } from '../lint/result.js';
import type { RuleMeta } from '../lint/rule.js';
import { formatGithub } from './github.js';
import { formatGitlab } from './gitlab.js';
import { formatJson } from './json.js';
import { formatMarkdown } from './markdown.js';
import { formatPretty } from './pretty.js';
import { formatSarif } from './sarif.js';

export type FormatName = 'pretty' | 'json' | 'github' | 'sarif' | 'markdown' | 'gitlab';

export interface ReportOptions {
  /** pretty only; the CLI decides (TTY, NO_COLOR, FORCE_COLOR). */
  color: boolean;
  /** Registry metadata: sarif lists every rule; a finding's rule need not be here. */
  rules: readonly RuleMeta[];
  /** Source text per file path, for code frames (pretty); may lack a path. */
  sources: ReadonlyMap<string, string>;
  /** pgphase version, for sarif `tool.driver.version`. */
  version: string;
  /** Prefix that turns a finding's `docs` path into a URL, e.g. the installed package as a file URL. */
  docsBaseUrl: string;
}

const formatters: Record<FormatName, (result: LintResult, options: ReportOptions) => string> = {
  pretty: formatPretty,
  json: formatJson,
  github: formatGithub,
  sarif: formatSarif,
  markdown: formatMarkdown,
  gitlab: formatGitlab,
};

export const FORMATS: readonly FormatName[] = Object.freeze(Object.keys(formatters) as FormatName[]);

/**
 * The report as text, ending with a newline, ready for `process.stdout.write`.
 * Empty when the format has nothing to say (github on a clean result).
 */
export function formatResult(result: LintResult, format: FormatName, options: ReportOptions): string {
  return formatters[format](result, options);
}
