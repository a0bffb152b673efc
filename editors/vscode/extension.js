// Starts `pgphase lsp` for SQL files: the `pgphase.path` setting, else the workspace's own
// pgphase (node_modules/.bin), else `pgphase` on the PATH. The server does the rest:
// diagnostics, hover, quick fixes and "plan this migration", and asks for the files it watches.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

function serverCommand() {
  const configured = vscode.workspace.getConfiguration('pgphase').get('path');
  if (configured) return configured;
  const bin = process.platform === 'win32' ? 'pgphase.cmd' : 'pgphase';
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const local = join(folder.uri.fsPath, 'node_modules', '.bin', bin);
    if (existsSync(local)) return local;
  }
  return 'pgphase';
}

async function activate(context) {
  client = new LanguageClient(
    'pgphase',
    'pgphase',
    // TransportKind.stdio adds --stdio to the arguments; a .cmd shim on Windows needs a shell
    {
      command: serverCommand(),
      args: ['lsp'],
      transport: TransportKind.stdio,
      options: { shell: process.platform === 'win32' },
    },
    {
      documentSelector: [
        { scheme: 'file', language: 'sql' },
        { scheme: 'untitled', language: 'sql' },
      ],
    },
  );
  context.subscriptions.push(vscode.commands.registerCommand('pgphase.restartServer', () => client.restart()));
  await client.start();
}

function deactivate() {
  return client?.stop();
}

module.exports = { activate, deactivate };
