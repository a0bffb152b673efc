// SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDE viewers): every registry rule
// in tool.driver.rules, one result per finding pointing back at its rule by index.
import type { LintResult } from '../lint/result.js';
import type { Finding, RuleMeta, SeveritySetting } from '../lint/rule.js';
import type { ReportOptions } from './options.js';
import { docsUrl } from './wording.js';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

type Level = 'error' | 'warning' | 'none';

function level(severity: SeveritySetting): Level {
  return severity === 'off' ? 'none' : severity;
}

/**
 * A relative URI reference: forward slashes, each segment percent-encoded so that spaces,
 * `#`, `%` and `?` survive and a `:` in the first segment is not read as a scheme.
 */
function artifactUri(path: string): string {
  return path.replace(/\\/g, '/').split('/').map(encodeURIComponent).join('/');
}

function descriptor(rule: RuleMeta, options: ReportOptions) {
  return {
    id: rule.id,
    name: rule.id,
    shortDescription: { text: rule.description },
    fullDescription: { text: rule.description },
    helpUri: docsUrl(options.docsBaseUrl, `rules/${rule.id}.md`),
    defaultConfiguration: { enabled: rule.severity !== 'off', level: level(rule.severity) },
    properties: { category: rule.category, tags: [rule.category] },
  };
}

function sarifResult(path: string, finding: Finding, ruleIndex: ReadonlyMap<string, number>) {
  const { line, column, endLine, endColumn } = finding.location;
  const index = ruleIndex.get(finding.rule);
  return {
    ruleId: finding.rule,
    // Omitted for a rule missing from the registry: SARIF reads an absent ruleIndex as "no rule object".
    ...(index === undefined ? {} : { ruleIndex: index }),
    level: level(finding.severity),
    message: { text: `${finding.message}\n\n${finding.help}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(path) },
          region: { startLine: line, startColumn: column, endLine, endColumn },
        },
      },
    ],
  };
}

export function formatSarif(result: LintResult, options: ReportOptions): string {
  const ruleIndex = new Map(options.rules.map((rule, i) => [rule.id, i]));
  const log = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pgphase',
            version: options.version,
            rules: options.rules.map((rule) => descriptor(rule, options)),
          },
        },
        // Our columns count characters (code points) and endColumn is exclusive, as SARIF's regions are.
        columnKind: 'unicodeCodePoints',
        results: result.files.flatMap((file) => file.findings.map((f) => sarifResult(file.path, f, ruleIndex))),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
