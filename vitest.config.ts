import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The test files that need PostgreSQL are those that ask test/helpers/db.ts for a database:
// they run in the `db` project, on one server per run; the rest is `unit` (npm run test:unit).
const testFiles = (readdirSync('test', { recursive: true, encoding: 'utf8' }) as string[])
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => join('test', f));
const dbFiles = testFiles.filter((f) => readFileSync(f, 'utf8').includes('/helpers/db.js'));

export default defineConfig({
  test: {
    // timeouts catch a hang, not a slow machine: a test or hook that finishes must not fail for its speed
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: dbFiles } },
      { extends: true, test: { name: 'db', include: dbFiles, globalSetup: 'test/setup/global.ts' } },
    ],
  },
});
