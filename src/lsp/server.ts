// The language server of `pgphase lsp`: diagnostics of .sql migration files as `pgphase lint`
// sees them in their directory, hover with the rule, the lock and the safe form, and code
// actions (the mechanical fix, ignore with a reason, plan the migration).
import { readFile } from '../files.js';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  MessageType,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type Hover,
  type Range,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { docsBaseUrl, InputError, oneLine, PgphaseError, type Rule } from '../index.js';
import type { Finding } from '../lint/rule.js';
import { headLines } from '../discover/layouts.js';
import { fixFile } from '../lint/fix.js';
import { statementLocks } from '../sql/locks.js';
import { quoteQName } from '../sql/names.js';
import { readStatement } from '../sql/normalize.js';
import type { Location, Statement } from '../sql/source.js';
import { describePhases, planInProject } from './plan.js';
import { firstParagraph, ruleDoc } from './rule-doc.js';
import { Workspace, type Linted } from './workspace.js';

export const COMMANDS = { plan: 'pgphase.plan', reveal: 'pgphase.reveal' } as const;

/** A 1-based line and a column in code points, as lint reports them, in the document's 0-based UTF-16 terms. */
function position(document: TextDocument, line: number, column: number): { line: number; character: number } {
  const text = document.getText({ start: { line: line - 1, character: 0 }, end: { line, character: 0 } });
  let character = 0;
  let seen = 1;
  for (const char of text) {
    if (seen === column || char === '\n' || char === '\r') break;
    character += char.length;
    seen++;
  }
  return { line: line - 1, character };
}

function range(document: TextDocument, location: Location): Range {
  return {
    start: position(document, location.line, location.column),
    end: position(document, location.endLine, location.endColumn),
  };
}

function diagnostic(document: TextDocument, finding: Finding): Diagnostic {
  return {
    range: range(document, finding.location),
    severity: finding.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: finding.rule,
    codeDescription: { href: new URL(finding.docs, docsBaseUrl).href },
    source: 'pgphase',
    message: `${finding.message}\n${finding.help}`,
  };
}

const before = (a: { line: number; character: number }, b: { line: number; character: number }) =>
  a.line < b.line || (a.line === b.line && a.character <= b.character);
const overlaps = (a: Range, b: Range) => before(a.start, b.end) && before(b.start, a.end);

/** The locks a statement takes, as findings show them, with the schema as it is before the statement. */
function locksOfStatement(linted: Linted, statement: Statement): string | undefined {
  const schema = linted.schemaBefore();
  for (const source of linted.sources) {
    for (const st of source.statements) {
      const changes = readStatement(st);
      if (st === statement) {
        const locks = statementLocks(changes, schema);
        return locks.length ? locks.map((l) => `${l.mode} on ${quoteQName(l.table)}`).join(', ') : undefined;
      }
      for (const change of changes) schema.apply(change);
    }
  }
  return undefined;
}

/** Each finding with its rule, lock, why and safe form; without one, the locks of the statement. */
function hoverText(linted: Linted, statement: Statement | undefined, findings: Finding[]): string {
  const parts = findings.map((f) => {
    const doc = ruleDoc(f.rule);
    const correct = doc?.sections.get('Correct');
    return [
      `**${f.rule}** · ${f.severity} · ${f.category}`,
      f.message,
      ...(f.lock ? [`**Lock:** ${f.lock}`] : []),
      ...(doc?.sections.has('Why') ? [`**Why:** ${firstParagraph(doc.sections.get('Why'))}`] : []),
      `**Safe form:** ${f.help}`,
      ...(correct ? [correct] : []),
      `[${f.rule}](${new URL(f.docs, docsBaseUrl).href})`,
    ].join('\n\n');
  });
  const locks = parts.length === 0 && statement ? locksOfStatement(linted, statement) : undefined;
  if (locks) parts.push(`**Lock:** ${locks}`);
  return parts.join('\n\n---\n\n');
}

/** The statement a lint position is in. */
function statementAt(linted: Linted, line: number, column: number): Statement | undefined {
  const at = (l: Location) =>
    (l.line < line || (l.line === line && l.column <= column)) &&
    (l.endLine > line || (l.endLine === line && l.endColumn >= column));
  for (const source of linted.sources) for (const st of source.statements) if (at(st.location)) return st;
  return undefined;
}

/** "Ignore with a reason": the ignore comment above the finding's statement (the file's when it has
 *  none), and the command that puts the cursor where the reason goes. */
function ignoreAction(document: TextDocument, linted: Linted, finding: Finding): CodeAction {
  const statement = statementAt(linted, finding.location.line, finding.location.column);
  let insert: { line: number; character: number };
  let text: string;
  let reason: { line: number; character: number };
  if (statement) {
    const start = position(document, statement.location.line, statement.location.column);
    const lineStart = document.getText({ start: { line: start.line, character: 0 }, end: start });
    const comment = `-- pgphase-ignore ${finding.rule}: `;
    // on a line of its own above the statement; after another statement on its line, on a new line before it
    if (lineStart.trim() === '') {
      insert = { line: start.line, character: 0 };
      text = `${lineStart}${comment}\n`;
      reason = { line: start.line, character: lineStart.length + comment.length };
    } else {
      insert = start;
      text = `\n${comment}\n`;
      reason = { line: start.line + 1, character: comment.length };
    }
  } else {
    insert = { line: headLines(document.getText()), character: 0 };
    const comment = `-- pgphase-ignore-file ${finding.rule}: `;
    text = `${comment}\n`;
    reason = { line: insert.line, character: comment.length };
  }
  return {
    title: `Ignore ${finding.rule} here, with a reason`,
    kind: CodeActionKind.QuickFix,
    edit: { changes: { [document.uri]: [{ range: { start: insert, end: insert }, newText: text }] } },
    // the edit lands first; the cursor then goes to the end of the comment, where the reason is written
    command: { title: 'Write the reason', command: COMMANDS.reveal, arguments: [document.uri, reason] },
  };
}

/** The mechanical fixes of the findings in range, in the file's transaction model (src/lint/fix.ts);
 *  where a finding has none, the reason, as an action the editor shows disabled. */
function fixActions(document: TextDocument, linted: Linted, inRange: Finding[], showDisabled: boolean): CodeAction[] {
  const actions: CodeAction[] = [];
  const disabled = new Set<string>();
  const text = document.getText();
  const wanted = (rule: string, line: number) => inRange.some((f) => f.rule === rule && f.location.line === line);
  for (const entry of linted.entries) {
    const { fixes, unfixed } = fixFile({
      path: entry.path,
      text,
      ...(entry.text !== text && { linted: entry.text }),
      layout: entry.layout,
      transaction: entry.transaction,
      findings: linted.result.findings,
    });
    for (const fix of fixes.filter((f) => f.lines.some((line) => wanted(f.rule, line)))) {
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        isPreferred: true,
        edit: {
          changes: {
            [document.uri]: fix.edits.map((e) => ({
              range: { start: document.positionAt(e.start), end: document.positionAt(e.end) },
              newText: e.text,
            })),
          },
        },
      });
    }
    // a file of several changesets gives each finding to each of them: one reason per finding
    const reasons = unfixed.filter(
      (u) => wanted(u.rule, u.line) && !disabled.has(`${u.rule}:${u.line}`) && disabled.add(`${u.rule}:${u.line}`),
    );
    if (showDisabled)
      for (const u of reasons)
        actions.push({ title: `Fix ${u.rule}`, kind: CodeActionKind.QuickFix, disabled: { reason: u.reason } });
  }
  return actions;
}

/** Serves on the connection; `cwd` stands for the workspace until the client names its folder. */
export function serve(connection: Connection, rules: readonly Rule[], cwd: string): void {
  const documents = new TextDocuments(TextDocument);
  let workspace = new Workspace(rules, cwd);
  /** The last lint of each open document, and the version of the document it linted. */
  const linted = new Map<string, Linted & { version: number }>();
  /** Per document: a lint is running, and whether an edit came in meanwhile. */
  const running = new Map<string, { again: boolean }>();
  let canShowDocument = false;
  let canShowDisabled = false;
  let canWatch = false;

  async function lintDocument(uri: string): Promise<void> {
    const busy = running.get(uri);
    if (busy) {
      busy.again = true;
      return;
    }
    const state = { again: false };
    running.set(uri, state);
    try {
      do {
        state.again = false;
        const document = documents.get(uri);
        if (!document) return;
        const version = document.version;
        let diagnostics: Diagnostic[];
        try {
          const result = await workspace.lint(
            uri.startsWith('file:') ? fileURLToPath(uri) : undefined,
            document.getText(),
          );
          if (result) linted.set(uri, { ...result, version });
          else linted.delete(uri);
          diagnostics = result?.result.findings.map((f) => diagnostic(document, f)) ?? [];
        } catch (error) {
          linted.delete(uri);
          // a config that does not load: its one line, where the file starts
          const message =
            error instanceof PgphaseError ? error.message : `internal error: ${oneLine((error as Error).message)}`;
          diagnostics = [
            {
              range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
              severity: DiagnosticSeverity.Error,
              source: 'pgphase',
              message,
            },
          ];
        }
        if (!state.again) await connection.sendDiagnostics({ uri, version, diagnostics });
      } while (state.again);
    } finally {
      running.delete(uri);
    }
  }

  connection.onInitialize((params) => {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
    if (folder?.startsWith('file:')) workspace = new Workspace(rules, fileURLToPath(folder));
    canShowDocument = params.capabilities.window?.showDocument?.support === true;
    canShowDisabled = params.capabilities.textDocument?.codeAction?.disabledSupport === true;
    canWatch = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: true },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.Source] },
        executeCommandProvider: { commands: Object.values(COMMANDS) },
      },
      serverInfo: { name: 'pgphase' },
    };
  });

  // the history of a migration is the .sql files before it, and the config may change: the client watches them
  connection.onInitialized(() => {
    if (canWatch)
      connection.client
        .register(DidChangeWatchedFilesNotification.type, {
          watchers: [
            { globPattern: '**/*.sql' },
            { globPattern: '**/{pgphase.config.json,.pgphaserc.json,package.json}' },
          ],
        })
        .catch(() => undefined);
  });
  documents.onDidOpen(({ document }) => void lintDocument(document.uri));
  documents.onDidChangeContent(({ document }) => void lintDocument(document.uri));
  documents.onDidClose(({ document }) => {
    linted.delete(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });
  // what is on disk changed: the history of every open file may have
  const reread = () => {
    workspace.invalidate();
    for (const document of documents.all()) void lintDocument(document.uri);
  };
  documents.onDidSave(reread);
  connection.onDidChangeWatchedFiles(reread);

  connection.onHover(({ textDocument, position: at }): Hover | null => {
    const document = documents.get(textDocument.uri);
    const result = linted.get(textDocument.uri);
    if (!document || !result) return null;
    const here = { start: at, end: at };
    const findings = result.result.findings.filter((f) => overlaps(range(document, f.location), here));
    const line = at.line + 1;
    const prefix = document.getText({ start: { line: at.line, character: 0 }, end: at });
    const statement = statementAt(result, line, [...prefix].length + 1);
    const text = hoverText(result, statement, findings);
    return text === '' ? null : { contents: { kind: 'markdown', value: text } };
  });

  connection.onCodeAction(({ textDocument, range: asked }) => {
    const document = documents.get(textDocument.uri);
    const result = linted.get(textDocument.uri);
    // edits are computed on the text that was linted: none while a newer version is being linted
    if (!document || result?.version !== document.version) return [];
    const findings = result.result.findings.filter((f) => overlaps(range(document, f.location), asked));
    const actions = [
      ...fixActions(document, result, findings, canShowDisabled),
      ...findings.filter((f) => f.rule !== 'syntax-error').map((f) => ignoreAction(document, result, f)),
    ];
    if (result.located.found)
      actions.push({
        title: 'Plan this migration (pgphase plan)',
        kind: CodeActionKind.Source,
        command: { title: 'Plan this migration', command: COMMANDS.plan, arguments: [textDocument.uri] },
      });
    return actions;
  });

  connection.onExecuteCommand(async ({ command, arguments: args = [] }) => {
    if (command === COMMANDS.reveal) {
      const [uri, at] = args as [string, { line: number; character: number }];
      if (canShowDocument)
        await connection.window
          .showDocument({ uri, selection: { start: at, end: at }, takeFocus: true })
          .catch(() => undefined);
      return null;
    }
    if (command === COMMANDS.plan) return planCommand(args[0] as string);
    return null;
  });

  /** Runs `pgphase plan` on the file as saved, as its project sees it; writes the plan directory next to it. */
  async function planCommand(uri: string): Promise<string> {
    const document = documents.get(uri);
    const path = fileURLToPath(uri);
    try {
      if (document && (await readFile(path, 'utf8').catch(() => undefined)) !== document.getText())
        throw new InputError(`${path}: save the file before planning it`);
      const shadowUrl = process.env.PGPHASE_SHADOW_URL;
      const planned = await planInProject(workspace, path, {
        emit: 'plan',
        prove: true,
        ...(shadowUrl && { shadowUrl }),
      });
      const message = `plan ${planned.manifest.id} written to ${planned.dir}: ${describePhases(planned).join('; ')}`;
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message });
      // a client that cannot open it says so: the plan is written all the same
      if (canShowDocument)
        connection.window
          .showDocument({ uri: pathToFileURL(join(planned.dir, 'README.md')).href, takeFocus: false })
          .catch(() => undefined);
      return message;
    } catch (error) {
      const message =
        error instanceof PgphaseError ? error.message : `internal error: ${oneLine((error as Error).message)}`;
      void connection.sendNotification(ShowMessageNotification.type, {
        type: MessageType.Error,
        message: `pgphase plan: ${message}`,
      });
      return `pgphase plan: ${message}`;
    }
  }

  documents.listen(connection);
  connection.listen();
}
