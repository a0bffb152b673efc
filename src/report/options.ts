// What every reporter is given besides the result.
import type { FileResult } from '../lint/engine.js';
import type { FileLine } from '../lint/result.js';
import type { RuleMeta } from '../lint/rule.js';

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
  /** json only: the lines the results were made from (`LintOutput.lines`), each printed as it is. */
  lines?: ReadonlyMap<FileResult, FileLine>;
}
