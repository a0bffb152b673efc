#!/usr/bin/env node
// Scaffolds a rule: rules/<id>.ts, rules/<id>.md and test/rules/<id>.test.ts, registered in
// rules/index.ts after the last rule of its category. The test's invalid case fails until the
// rule finds it: write the rule, the doc's sections, then `npm run docs` for the README table.
// Usage: npm run new:rule -- <id> [category]      (category: breaks-old-code … style; default style)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CATEGORIES = ['breaks-old-code', 'blocks-traffic', 'data-loss', 'robustness', 'style'];
const root = process.env.PGPHASE_ROOT ?? process.cwd();
const [id, category = 'style'] = process.argv.slice(2);

function fail(message) {
  process.stderr.write(`new-rule: ${message}\n`);
  process.exit(2);
}
if (!id || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(id))
  fail(`give the rule's id in kebab-case, e.g. \`npm run new:rule -- drop-view style\` (got ${id ?? 'nothing'})`);
if (!CATEGORIES.includes(category)) fail(`category ${category}: expected one of ${CATEGORIES.join(', ')}`);
const files = [`rules/${id}.ts`, `rules/${id}.md`, `test/rules/${id}.test.ts`];
for (const f of files) if (existsSync(join(root, f))) fail(`${f} exists already: pick another id`);

const camel = id.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const index = join(root, 'rules/index.ts');
const registry = readFileSync(index, 'utf8');
// the last rule of the category in the registry, or the end of the list
const metas = [...registry.matchAll(/^import (\w+) from '\.\/([a-z0-9-]+)\.js';$/gm)].map(([, name, file]) => ({
  name,
  category: /category: '([a-z-]+)'/.exec(readFileSync(join(root, 'rules', `${file}.ts`), 'utf8'))?.[1],
}));
const last = metas.filter((m) => m.category === category).at(-1)?.name ?? metas.at(-1)?.name;
if (!last) fail('rules/index.ts lists no rule: is this the pgphase repository?');
const updated = registry
  .replace(new RegExp(`^(import ${last} from .*;)$`, 'm'), `$1\nimport ${camel} from './${id}.js';`)
  .replace(new RegExp(`^(  ${last},)$`, 'm'), `$1\n  ${camel},`);
if (updated === registry || !updated.includes(`  ${camel},`))
  fail(`could not register ${id} in rules/index.ts after ${last}`);

writeFileSync(
  join(root, files[0]),
  `import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: '${id}',
    category: '${category}',
    severity: 'warning',
    description: 'TODO: one line for the rule table: what it flags and what that does to the running application',
    messages: {
      default: {
        message: 'TODO: what {{table}} suffers, naming the lock or the failing query',
        help: 'TODO: the one action that fixes it',
      },
    },
  },
  // TODO: the change kinds the rule is about; \`change\` gets only those, narrowed to them
  kinds: ['drop-table'],
  create(context) {
    return {
      change(change) {
        context.report({ messageId: 'default', data: { table: quoteQName(change.table) } });
      },
    };
  },
});
`,
);
writeFileSync(
  join(root, files[1]),
  `# ${id}

${category} · default severity: warning

TODO: what the rule flags, exactly.

## Why
TODO: what PostgreSQL does (the lock, the scan, the error with its SQLSTATE) and what the running application version sees.

## Incorrect
\`\`\`sql
TODO;
\`\`\`

## Correct
\`\`\`sql
TODO;
\`\`\`

## When not to use
TODO: when the finding is acceptable, and the ignore comment that says why.
`,
);
writeFileSync(
  join(root, files[2]),
  `import { ruleCases } from '../helpers/lint.js';

await ruleCases('${id}', {
  valid: [{ sql: 'SELECT 1;' }],
  // each invalid case: where every finding is, and the message id and data of every report
  invalid: [{ sql: 'TODO;', at: ['1:1'], messageId: 'default', data: {} }],
});
`,
);
writeFileSync(index, updated);
process.stdout.write(
  `${files.join('\n')}\nregistered in rules/index.ts after ${last}; next: write the rule and its doc, run its test, then \`npm run docs\`\n`,
);
