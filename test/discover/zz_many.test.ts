import { it, expect } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { discoverSet } from '../../src/discover/index.js';
it('many', async () => {
  let t = Date.now(); const names = await readdir('/tmp/many'); console.log('readdir', Date.now() - t);
  t = Date.now(); await Promise.all(names.map(n => readFile('/tmp/many/' + n, 'utf8'))); console.log('readall', Date.now() - t);
  t = Date.now(); for (const n of names) await readFile('/tmp/many/' + n, 'utf8'); console.log('readseq', Date.now() - t);
  t = Date.now(); const s = await discoverSet('/tmp/many'); console.log('discover', Date.now() - t); expect(s.files.length).toBe(5000);
  t = Date.now(); await discoverSet('/tmp/many'); console.log('discover2', Date.now() - t);
});
