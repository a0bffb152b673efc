import { plan } from '../dist/src/index.js';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs'; import { join } from 'node:path'; import { tmpdir } from 'node:os';
const dir = mkdtempSync(join(tmpdir(), 'x-')); mkdirSync(join(dir,'m'));
writeFileSync(join(dir,'m','001.sql'),'CREATE TABLE a (id int primary key, h text not null);\n');
writeFileSync(join(dir,'m','002.sql'),'ALTER TABLE a RENAME COLUMN h TO d;\n');
const { stopShadowServer } = await import('../dist/src/shadow/server.js');
for (const prove of [false, true, true]) try { const t = performance.now(); const r = await plan({ file: join(dir,'m','002.sql'), history: join(dir,'m'), out: join(dir,'p'), prove, force: true }); console.log('ok', prove, r.proof?.result, performance.now()-t); } catch (e) { console.log('ERR', e.stack); }
await stopShadowServer();
