// The VS Code extension (editors/vscode): a manifest vsce packages and the marketplace accepts,
// and an entry point that starts `pgphase lsp` with the client library of the server's protocol.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = 'editors/vscode';
const manifest = JSON.parse(readFileSync(join(DIR, 'package.json'), 'utf8'));
const root = JSON.parse(readFileSync('package.json', 'utf8'));
const extension = readFileSync(join(DIR, 'extension.js'), 'utf8');

describe('editors/vscode', () => {
  it('has the fields vsce requires, in the forms it accepts', () => {
    expect(manifest.name).toMatch(/^[a-z0-9][a-z0-9-]*$/);
    expect(manifest.publisher).toMatch(/^[a-z0-9][a-z0-9-]*$/);
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.engines.vscode).toMatch(/^\^1\.\d+\.\d+$/);
    expect(manifest.license).toBe(root.license);
    for (const file of ['README.md', 'LICENSE', manifest.main]) expect(existsSync(join(DIR, file)), file).toBe(true);
    // the extension is CommonJS whatever the repository's package.json says
    expect(manifest.type).toBe('commonjs');
    expect(manifest.activationEvents).toEqual(['onLanguage:sql']);
  });

  it('declares every command and setting the extension uses, and nothing else', () => {
    const commands = [...extension.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]);
    expect(manifest.contributes.commands.map((c: { command: string }) => c.command)).toEqual(commands);
    const settings = [...extension.matchAll(/getConfiguration\('pgphase'\)\.get\('([^']+)'\)/g)].map(
      (m) => `pgphase.${m[1]}`,
    );
    // trace.server is read by the client library itself, under the client's id
    expect(Object.keys(manifest.contributes.configuration.properties).sort()).toEqual(
      [...settings, `${/new LanguageClient\(\s*'([^']+)'/.exec(extension)![1]}.trace.server`].sort(),
    );
  });

  it('uses the client library of the protocol the server speaks, and runs `pgphase lsp`', () => {
    const server = JSON.parse(readFileSync('node_modules/vscode-languageserver/package.json', 'utf8'));
    const client = manifest.dependencies['vscode-languageclient'];
    // vscode-languageclient and vscode-languageserver release together, one major for one protocol version
    expect(client).toBe(`^${server.version.split('.')[0]}.0.0`);
    expect(root.dependencies['vscode-languageserver']).toBe(`^${server.version}`);
    expect(extension).toContain("args: ['lsp']");
    expect(spawnSync(process.execPath, ['--check', join(DIR, 'extension.js')]).status).toBe(0);
  });
});
