import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedDocs } from '../src/docs.js';
import { parseConfig } from '../src/config/load.js';
import { DEFAULT_CONFIG } from '../src/config/defaults.js';
import { configSchema } from '../src/config/schema.js';
import { rules } from '../rules/index.js';

const readme = readFileSync('README.md', 'utf8');
const generated = generatedDocs(readme);

describe('generated documentation (run `npm run docs` when this fails)', () => {
  it('the README rule table matches the registry', () => {
    expect(readme).toBe(generated.readme);
    for (const rule of rules)
      expect(readme).toContain(
        `[\`${rule.meta.id}\`](rules/${rule.meta.id}.md) | ${rule.meta.category} | ${rule.meta.severity} |`,
      );
  });

  it('pgphase.schema.json matches the config schema', () => {
    expect(readFileSync('pgphase.schema.json', 'utf8')).toBe(generated.configSchema);
  });

  it('the README config example is a valid config', async () => {
    const example = /```json\n(\{\n {2}"\$schema"[\s\S]*?\n\})\n```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    await expect(
      parseConfig(JSON.parse(example!), 'README.md', new Set(rules.map((r) => r.meta.id))),
    ).resolves.toMatchObject({});
  });

  it('the defaults used without a config file are the schema defaults', () => {
    expect(configSchema.parse({})).toEqual(DEFAULT_CONFIG);
  });
});
