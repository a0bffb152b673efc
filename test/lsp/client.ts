// A language client over stdio (vscode-languageserver-protocol, the library VS Code's client is
// built on) driving `pgphase lsp` from the built CLI, as an editor does.
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShowDocumentRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type Registration,
  type PublishDiagnosticsParams,
  type ShowDocumentParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { BIN } from '../helpers/cli.js';

export class LspClient {
  readonly connection: ProtocolConnection;
  /** window/showDocument requests the server sent. */
  readonly shown: ShowDocumentParams[] = [];
  /** What the server asked to be told about (client/registerCapability). */
  readonly registered: Registration[] = [];
  private readonly child: ChildProcess;
  private readonly versions = new Map<string, number>();
  private readonly waiting: Array<{ uri: string; version: number; resolve: (d: Diagnostic[]) => void }> = [];
  stderr = '';

  constructor(env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [BIN, 'lsp', '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.connection = createProtocolConnection(
      new StreamMessageReader(this.child.stdout!),
      new StreamMessageWriter(this.child.stdin!),
    );
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params: PublishDiagnosticsParams) => {
      for (const w of [...this.waiting]) {
        if (w.uri === params.uri && (params.version === undefined || params.version >= w.version)) {
          this.waiting.splice(this.waiting.indexOf(w), 1);
          w.resolve(params.diagnostics);
        }
      }
    });
    this.connection.onRequest(ShowDocumentRequest.type, (params) => {
      this.shown.push(params);
      return { success: true };
    });
    this.connection.onRequest(RegistrationRequest.type, (params) => {
      this.registered.push(...params.registrations);
    });
    this.connection.listen();
  }

  async initialize(root: string): Promise<void> {
    await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'project' }],
      capabilities: {
        window: { showDocument: { support: true } },
        workspace: { didChangeWatchedFiles: { dynamicRegistration: true } },
        textDocument: { publishDiagnostics: { versionSupport: true }, codeAction: { disabledSupport: true } },
      },
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
  }

  /** The diagnostics the server publishes for this version of the document (or a later one). */
  diagnostics(uri: string, version = this.versions.get(uri) ?? 1): Promise<Diagnostic[]> {
    return new Promise((resolve) => this.waiting.push({ uri, version, resolve }));
  }

  async open(path: string, text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
    const uri = pathToFileURL(path).href;
    this.versions.set(uri, 1);
    const published = this.diagnostics(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'sql', version: 1, text },
    });
    return { uri, diagnostics: await published };
  }

  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<Diagnostic[]> {
    const version = this.versions.get(uri)! + 1;
    this.versions.set(uri, version);
    const published = this.diagnostics(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: changes,
    });
    return published;
  }

  async close(): Promise<number | null> {
    await this.connection.sendRequest(ShutdownRequest.type);
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    await this.connection.sendNotification(ExitNotification.type);
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}
