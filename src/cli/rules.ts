// `pgphase rules [id]`
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError, UsageError } from '../errors.js';
import { ruleDocPath } from '../meta.js';
import type { Io } from './io.js';

export function rulesCommand(program: Command, io: Io): void {
  program
    .command('rules')
    .description("list the rules, or print one rule's documentation")
    .argument('[id]', 'a rule id')
    .action(async (id: string | undefined) => {
      const { rules } = await import('../index.js');
      if (id === undefined) {
        const width = Math.max(...rules.map((r) => r.meta.id.length));
        const lines = rules.map(
          (r) =>
            `${r.meta.id.padEnd(width)}  ${r.meta.category.padEnd(15)}  ${r.meta.severity.padEnd(7)}  ${r.meta.description}`,
        );
        io.stdout(`${lines.join('\n')}\n`);
        return;
      }
      if (!rules.some((r) => r.meta.id === id))
        throw new UsageError(`unknown rule "${id}" (run \`pgphase rules\` for the list)`);
      let doc: string;
      try {
        doc = readFileSync(ruleDocPath(id), 'utf8');
      } catch {
        throw new InputError(
          `${ruleDocPath(id)}: the doc page of "${id}" is missing from this installation; reinstall pgphase`,
        );
      }
      io.stdout(doc);
    });
}
