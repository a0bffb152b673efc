// `pgphase lsp` driven over stdio by a language client, as an editor drives it: diagnostics of a
// migration in its history and config, hover, the ignore-with-a-reason code action end to end.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionRequest,
  DidChangeWatchedFilesNotification,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  FileChangeType,
  HoverRequest,
  type CodeAction,
  type Diagnostic,
  type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';
import { LspClient } from './client.js';

const codes = (diagnostics: Diagnostic[]) => diagnostics.map((d) => d.code).sort();

describe('pgphase lsp', () => {
  let root: string;
  let client: LspClient;
  beforeAll(async () => {
    root = tempTree({
      'm/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name varchar(50));\n',
      'm/002_index.sql': 'CREATE INDEX users_name ON users (name);\n',
      'm/003_type.sql': 'ALTER TABLE users ALTER COLUMN name TYPE text;\n',
      'quiet/pgphase.config.json': JSON.stringify({
        rules: { 'create-index-non-concurrently': 'off' },
        ignorePaths: ['skipped/**'],
      }),
      'quiet/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n',
      'quiet/002_index.sql': 'CREATE INDEX users_name ON users (name);\n',
      'quiet/skipped/001_drop.sql': 'DROP TABLE users;\n',
      'g/000001_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n',
      'broken/pgphase.config.json': JSON.stringify({ rules: { 'no-such-rule': 'off' } }),
      'broken/001.sql': 'DROP TABLE users;\n',
    });
    client = new LspClient();
    await client.initialize(root);
  });
  afterAll(async () => {
    expect(await client.close()).toBe(0);
  });

  it('publishes what `pgphase lint` reports for the file in its directory, with ranges and links', async () => {
    const path = join(root, 'm/002_index.sql');
    const { diagnostics } = await client.open(path, readFileSync(path, 'utf8'));
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'create-index-non-concurrently',
        severity: 1,
        source: 'pgphase',
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 39 } },
        codeDescription: { href: expect.stringMatching(/^file:\/\/.*\/rules\/create-index-non-concurrently\.md$/) },
      }),
    ]);
    const cli = JSON.parse(runCli(['lint', '--format', 'json', 'm/002_index.sql'], { cwd: root }).stdout) as {
      files: Array<{ findings: Array<{ rule: string; message: string; help: string }> }>;
    };
    expect(diagnostics.map((d) => d.message)).toEqual(cli.files[0]!.findings.map((f) => `${f.message}\n${f.help}`));
  });

  it('follows each edit, and sees the history again when a file on disk changes', async () => {
    const path = join(root, 'm/003_type.sql');
    // varchar(50) → text needs no rewrite
    const { uri, diagnostics } = await client.open(path, readFileSync(path, 'utf8'));
    expect(codes(diagnostics)).toEqual(['missing-lock-timeout']);
    // typing the SET before the statement: its finding goes
    expect(
      await client.change(uri, [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          text: "SET lock_timeout = '2s';\n",
        },
      ]),
    ).toEqual([]);
    // the server asked to be told of changes to the history and the config
    expect(client.registered).toEqual([
      expect.objectContaining({
        method: 'workspace/didChangeWatchedFiles',
        registerOptions: {
          watchers: [
            { globPattern: '**/*.sql' },
            { globPattern: '**/{pgphase.config.json,.pgphaserc.json,package.json}' },
          ],
        },
      }),
    ]);
    // an earlier migration rewritten on disk: integer → text rewrites the table
    writeFileSync(join(root, 'm/001_users.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, name integer);\n');
    const republished = client.diagnostics(uri);
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: pathToFileURL(join(root, 'm/001_users.sql')).href, type: FileChangeType.Changed }],
    });
    expect(codes(await republished)).toEqual(['change-column-type', 'column-type-rewrite']);
  });

  it('applies the config: rule severities, ignorePaths; a config that does not load is one diagnostic', async () => {
    expect(
      (await client.open(join(root, 'quiet/002_index.sql'), 'CREATE INDEX users_name ON users (name);\n')).diagnostics,
    ).toEqual([]);
    expect((await client.open(join(root, 'quiet/skipped/001_drop.sql'), 'DROP TABLE users;\n')).diagnostics).toEqual(
      [],
    );
    const { diagnostics } = await client.open(join(root, 'broken/001.sql'), 'DROP TABLE users;\n');
    expect(diagnostics).toEqual([
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: 1,
        source: 'pgphase',
        message: `${join(root, 'broken/pgphase.config.json')}: rules.no-such-rule: unknown rule (see \`pgphase rules\`)`,
      },
    ]);
  });

  it('lints a document that is no file (an untitled editor) on its own', async () => {
    const uri = 'untitled:Untitled-1';
    const published = client.diagnostics(uri, 1);
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'sql', version: 1, text: 'CREATE INDEX users_id ON users (id);\n' },
    });
    expect(codes(await published)).toEqual(['create-index-non-concurrently']);
  });

  it('counts columns in UTF-16 code units, as editors do', async () => {
    const { diagnostics } = await client.open(
      join(root, 'm/004_emoji.sql'),
      "SELECT '😀'; CREATE INDEX users_id ON users (id);\n",
    );
    const index = diagnostics.find((d) => d.code === 'create-index-non-concurrently')!;
    // 😀 is one character to lint and two UTF-16 code units to the editor
    expect(index.range).toEqual({ start: { line: 0, character: 13 }, end: { line: 0, character: 48 } });
  });

  it('hover names the rule, the lock, why, and the safe form', async () => {
    const uri = pathToFileURL(join(root, 'm/002_index.sql')).href;
    const hover = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line: 0, character: 5 },
    });
    const value = (hover!.contents as MarkupContent).value;
    expect(value).toMatch(/^\*\*create-index-non-concurrently\*\* · error · blocks-traffic\n/);
    expect(value).toContain('**Why:** A plain `CREATE INDEX` holds a SHARE lock');
    expect(value).toContain('**Safe form:** Use `CREATE INDEX CONCURRENTLY`');
    expect(value).toContain('```sql\nCREATE INDEX CONCURRENTLY');
    expect(value).toContain('**Lock:** SHARE on "users"');
    // past the end of every statement: nothing to say
    expect(
      await client.connection.sendRequest(HoverRequest.type, {
        textDocument: { uri },
        position: { line: 1, character: 0 },
      }),
    ).toBeNull();
    // a statement without findings: its lock
    const quiet = await client.open(
      join(root, 'm/008_note.sql'),
      "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN note text;\n",
    );
    expect(quiet.diagnostics).toEqual([]);
    const lock = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri: quiet.uri },
      position: { line: 1, character: 3 },
    });
    expect(lock!.contents).toEqual({ kind: 'markdown', value: '**Lock:** ACCESS EXCLUSIVE on "users"' });
  });

  describe('ignore with a reason', () => {
    async function ignoreFlow(
      file: string,
      text: string,
      line: number,
      expected: { inserted: string; at: { line: number; character: number } },
    ) {
      const { uri, diagnostics } = await client.open(join(root, file), text);
      const finding = diagnostics.find((d) => d.code === 'create-index-non-concurrently')!;
      const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: finding.range,
        context: { diagnostics: [finding] },
      })) as CodeAction[];
      expect(actions.map((a) => a.title).slice(-2)).toEqual([
        'Ignore create-index-non-concurrently here, with a reason',
        'Plan this migration (pgphase plan)',
      ]);
      const ignore = actions.at(-2)!;
      // the client applies the edit, then runs the command
      const edits = ignore.edit!.changes![uri]!;
      const document = TextDocument.create(uri, 'sql', 1, text);
      expect(TextDocument.applyEdits(document, edits)).toBe(expected.inserted);
      const afterEdit = await client.change(
        uri,
        edits.map((e) => ({ range: e.range, text: e.newText })),
      );
      // no reason yet: the comment is invalid and ignores nothing
      expect(codes(afterEdit)).toEqual(['create-index-non-concurrently', 'invalid-ignore']);
      expect(afterEdit.find((d) => d.code === 'invalid-ignore')!.range.start.line).toBe(line);
      client.shown.length = 0;
      await client.connection.sendRequest(ExecuteCommandRequest.type, {
        command: ignore.command!.command,
        arguments: ignore.command!.arguments!,
      });
      expect(client.shown).toEqual([{ uri, selection: { start: expected.at, end: expected.at }, takeFocus: true }]);
      // the reason typed where the cursor is: the finding is ignored
      expect(
        await client.change(uri, [{ range: { start: expected.at, end: expected.at }, text: 'lookup table, 20 rows' }]),
      ).toEqual([]);
    }

    it('on a line of its own above the statement, with its indentation', async () => {
      await ignoreFlow('m/005_ignore.sql', "SET lock_timeout = '2s';\n  CREATE INDEX users_id ON users (id);\n", 1, {
        inserted:
          "SET lock_timeout = '2s';\n  -- pgphase-ignore create-index-non-concurrently: \n  CREATE INDEX users_id ON users (id);\n",
        at: { line: 1, character: 51 },
      });
    });

    it('before a statement that shares its line with another, on a line of its own', async () => {
      await ignoreFlow('m/006_ignore.sql', "SET lock_timeout = '2s'; CREATE INDEX users_id ON users (id);\n", 1, {
        inserted:
          "SET lock_timeout = '2s'; \n-- pgphase-ignore create-index-non-concurrently: \nCREATE INDEX users_id ON users (id);\n",
        at: { line: 1, character: 49 },
      });
    });
  });

  describe("the mechanical fix, in the file's transaction model", () => {
    async function actionsFor(file: string, text: string) {
      const { uri, diagnostics } = await client.open(join(root, file), text);
      const finding = diagnostics.find((d) => d.code === 'create-index-non-concurrently')!;
      const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: finding.range,
        context: { diagnostics: [finding] },
      })) as CodeAction[];
      return { uri, actions };
    }

    it('where the tool runs the statement outside a transaction: applied, the finding is gone', async () => {
      const text = "SET lock_timeout = '2s';\nCREATE INDEX users_id ON users (id);\n";
      const { uri, actions } = await actionsFor('m/007_fix.sql', text);
      const fix = actions.find((a) => a.title === 'add CONCURRENTLY')!;
      expect(fix).toMatchObject({ kind: 'quickfix', isPreferred: true });
      const edits = fix.edit!.changes![uri]!;
      expect(TextDocument.applyEdits(TextDocument.create(uri, 'sql', 1, text), edits)).toBe(
        "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY users_id ON users (id);\n",
      );
      expect(
        await client.change(
          uri,
          edits.map((e) => ({ range: e.range, text: e.newText })),
        ),
      ).toEqual([]);
    });

    it('where it runs in a transaction (golang-migrate: one query string): no fix, and why, shown disabled', async () => {
      const { actions } = await actionsFor(
        'g/000002_fix.up.sql',
        "SET lock_timeout = '2s';\nCREATE INDEX users_id ON users (id);\n",
      );
      expect(actions.filter((a) => a.kind === 'quickfix' && !a.title.startsWith('Ignore'))).toEqual([
        {
          title: 'Fix create-index-non-concurrently',
          kind: 'quickfix',
          disabled: {
            reason:
              'golang-migrate sends the file as one query string, which runs in one transaction when it holds several statements: move the statement to a migration of its own',
          },
        },
      ]);
    });
  });

  it.skipIf(!existsSync(join('bench/.histories/lemmy')))(
    'agrees with `pgphase lint` on the last migration of a real history (lemmy)',
    async () => {
      const dir = join('bench/.histories/lemmy');
      const last = readdirSync(dir)
        .filter((n) => existsSync(join(dir, n, 'up.sql')))
        .sort()
        .at(-1)!;
      const path = join(process.cwd(), dir, last, 'up.sql');
      const { diagnostics } = await client.open(path, readFileSync(path, 'utf8'));
      const cli = JSON.parse(runCli(['lint', '--format', 'json', path]).stdout) as {
        files: Array<{ findings: Array<{ rule: string; location: { line: number } }> }>;
      };
      const expected = cli.files[0]!.findings.map((f) => [f.rule, f.location.line - 1]);
      expect(expected.length).toBeGreaterThan(0);
      expect(diagnostics.map((d) => [d.code, d.range.start.line])).toEqual(expected);
    },
  );
});
