// Regenerates what the docs derive from code: the README's rule table and the config's
// JSON Schema. Run after `npm run build`: `npm run docs`. A test fails when either is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { generatedDocs } from '../dist/src/docs.js';

const { readme, configSchema } = generatedDocs(readFileSync('README.md', 'utf8'));
writeFileSync('README.md', readme);
writeFileSync('pgphase.schema.json', configSchema);
