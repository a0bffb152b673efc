// The tools of `pgphase mcp`: lint SQL or files as the project's config and layout see them,
// explain a rule, plan a migration into phases. Each takes arguments checked by a zod schema
// (its JSON Schema is what tools/list shows) and answers with text: JSON, or a rule's page.
import { mkdtemp, rm } from '../files.js';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { SUPPORTED_PG } from '../config/schema.js';
import { LAYOUTS } from '../discover/names.js';
import { describeProof, lint, PgphaseError, rules, type FileResult, type PlanResult } from '../index.js';
import { planInProject } from '../lsp/plan.js';
import { ruleDoc } from '../lsp/rule-doc.js';
import { Workspace, type Located } from '../lsp/workspace.js';

const layout = z
  .enum(LAYOUTS)
  .optional()
  .describe("the migration tool's layout (default: the config's, else detected from the directory)");
const pgVersion = z
  .int()
  .min(SUPPORTED_PG.min)
  .max(SUPPORTED_PG.max)
  .optional()
  .describe("target PostgreSQL major version (default: the config's pgVersion)");

const INPUTS = {
  lint_sql: z.strictObject({
    sql: z.string().describe('the migration SQL'),
    path: z
      .string()
      .optional()
      .describe(
        "the migration file this SQL is or will be (relative to the server's working directory, or absolute): its config and layout apply and the migrations before it are replayed; a file not written yet is checked as the next migration of its directory. Without it the SQL is checked on its own",
      ),
    layout,
    pgVersion,
  }),
  lint_file: z.strictObject({
    path: z
      .string()
      .describe(
        'a migration file or directory, as `pgphase lint <path>` takes it (a file is checked after the migrations before it)',
      ),
    layout,
    pgVersion,
  }),
  explain_rule: z.strictObject({
    rule: z.string().describe('a rule id, as findings name it (e.g. add-required-column)'),
  }),
  plan_migration: z.strictObject({
    path: z
      .string()
      .describe(
        'the migration file to plan, in its migration directory (the migrations before it are the starting schema)',
      ),
    write: z
      .boolean()
      .default(false)
      .describe(
        'write the plan as `pgphase plan <path>` does (and prove it, where PostgreSQL is at hand); by default nothing is written and the phase files are returned',
      ),
    force: z.boolean().default(false).describe('with write: replace an existing plan directory'),
    allowUnsafe: z
      .boolean()
      .default(false)
      .describe('place changes pgphase cannot make safe where they belong, with a warning, instead of refusing'),
    pgVersion,
  }),
};

type ToolName = keyof typeof INPUTS;

const DESCRIPTIONS: Record<ToolName, string> = {
  lint_sql:
    'Check migration SQL before proposing it: the findings of pgphase (PostgreSQL locks, changes that break the running application version, data loss), each with its line, rule, message and the safe form. Give `path` to check it where it goes: the earlier migrations are replayed and the transaction model of the migration tool applies.',
  lint_file:
    'Check migration files on disk as `pgphase lint` does: a file after the migrations before it, or a whole directory.',
  explain_rule:
    "A rule's documentation: what it flags, why (the lock or the failure), the incorrect and the correct form, and when not to use it.",
  plan_migration:
    "Split a migration into the phases that keep the running application version working (expand, trigger, backfill, contract): returns each phase file's SQL. Writes nothing unless `write` is true.",
};

export const TOOLS = (Object.keys(INPUTS) as ToolName[]).map((name) => ({
  name,
  description: DESCRIPTIONS[name],
  inputSchema: z.toJSONSchema(INPUTS[name], { io: 'input' }) as Record<string, unknown>,
}));

interface ToolResult {
  content: Array<{ type: 'text'; text: string }>;
  isError?: boolean;
}

const text = (value: unknown, isError = false): ToolResult => ({
  content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) }],
  ...(isError && { isError }),
});

function findingsOf(files: FileResult[]) {
  return files.map((f) => ({
    path: f.path,
    class: f.class,
    findings: f.findings.map(({ rule, severity, message, help, location }) => ({
      rule,
      severity,
      line: location.line,
      column: location.column,
      message,
      help,
    })),
  }));
}

function summary(files: FileResult[]) {
  const findings = files.flatMap((f) => f.findings);
  return {
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
  };
}

/** How the SQL was placed, in words: the migration set and how many migrations came before it, or on its own. */
function context(located: Located, cwd: string): string {
  const found = located.found;
  if (!found)
    return 'checked on its own: no earlier migrations replayed (give `path` to check it in its migration directory)';
  const before = found.set.files.findIndex((f) => f.absPath === found.file.absPath);
  const earlier = before === -1 ? found.set.files.length : before;
  const root = relative(cwd, found.set.root);
  return `checked as ${found.file.path} in ${root.startsWith('..') ? found.set.root : root || '.'} (${found.set.layout}, ${found.file.transaction === 'none' ? 'outside a transaction' : 'in a transaction'}), after ${earlier} earlier migration${earlier === 1 ? '' : 's'}`;
}

function phasesOf(result: PlanResult) {
  return result.manifest.phases.map((p) => ({
    phase: p.name,
    file: p.file,
    ...(p.requires && { deployFirst: p.requires }),
    sql: result.files.get(p.file) ?? '',
  }));
}

/** Tool calls share one workspace: a history replayed for one call serves the next ones. */
const workspaces = new Map<string, Workspace>();

export async function callTool(name: string, args: unknown, cwd: string): Promise<ToolResult> {
  const input = INPUTS[name as ToolName];
  const parsed = input.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return text(`${name}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`, true);
  }
  try {
    return await run(name as ToolName, parsed.data, cwd);
  } catch (error) {
    if (error instanceof PgphaseError) return text(error.message, true);
    throw error;
  }
}

async function run(name: ToolName, data: unknown, cwd: string): Promise<ToolResult> {
  switch (name) {
    case 'lint_sql': {
      const args = data as z.infer<(typeof INPUTS)['lint_sql']>;
      let workspace = workspaces.get(cwd);
      if (!workspace) workspaces.set(cwd, (workspace = new Workspace(rules, cwd)));
      // what is on disk may have changed since the last call: its history is compared, not reparsed
      workspace.invalidate();
      const overrides = {
        ...(args.layout && { layout: args.layout }),
        ...(args.pgVersion && { pgVersion: args.pgVersion }),
      };
      const linted = await workspace.lint(
        args.path === undefined ? undefined : resolve(cwd, args.path),
        args.sql,
        overrides,
      );
      if (!linted)
        return text({
          context: `${args.path}: not linted (a down migration, or a path the config's ignorePaths names)`,
          files: [],
          summary: { errors: 0, warnings: 0 },
        });
      return text({
        context: context(linted.located, cwd),
        files: findingsOf([linted.result]),
        summary: summary([linted.result]),
      });
    }
    case 'lint_file': {
      const args = data as z.infer<(typeof INPUTS)['lint_file']>;
      const { result } = await lint({
        paths: [args.path],
        cwd,
        ...(args.layout && { layout: args.layout }),
        ...(args.pgVersion && { pgVersion: args.pgVersion }),
      });
      return text({ files: findingsOf(result.files), summary: summary(result.files) });
    }
    case 'explain_rule': {
      const args = data as z.infer<(typeof INPUTS)['explain_rule']>;
      const rule = rules.find((r) => r.meta.id === args.rule);
      if (!rule)
        return text(`unknown rule "${args.rule}"; the rules are: ${rules.map((r) => r.meta.id).join(', ')}`, true);
      const { id, category, severity, description } = rule.meta;
      const doc =
        ruleDoc(id)?.text ?? `# ${id}\n\n${description}\n\n(The documentation page is missing from this installation.)`;
      return text(`${doc.trimEnd()}\n\n---\ncategory: ${category}; default severity: ${severity}\n`);
    }
    case 'plan_migration': {
      const args = data as z.infer<(typeof INPUTS)['plan_migration']>;
      const workspace = new Workspace(rules, cwd);
      const file = resolve(cwd, args.path);
      const common = { allowUnsafe: args.allowUnsafe, ...(args.pgVersion && { pgVersion: args.pgVersion }) };
      if (args.write) {
        const shadowUrl = process.env.PGPHASE_SHADOW_URL;
        const planned = await planInProject(workspace, file, {
          ...common,
          force: args.force,
          emit: 'auto',
          prove: true,
          ...(shadowUrl && { shadowUrl }),
        });
        const proof = planned.proof
          ? await describeProof(planned.proof)
          : 'not proven: no embedded PostgreSQL and no PGPHASE_SHADOW_URL';
        return text({
          id: planned.manifest.id,
          dir: planned.dir,
          proof,
          phases: phasesOf(planned),
          warnings: planned.manifest.warnings,
          ...(planned.emitted && {
            emitted: planned.emitted.phases.flatMap((p) => p.files),
            removed: planned.emitted.removed,
          }),
        });
      }
      const scratch = await mkdtemp(join(tmpdir(), 'pgphase-plan-'));
      try {
        const planned = await planInProject(workspace, file, {
          ...common,
          emit: 'plan',
          prove: false,
          out: join(scratch, 'plan'),
        });
        return text({
          id: planned.manifest.id,
          written: false,
          phases: phasesOf(planned),
          warnings: planned.manifest.warnings,
          readme: planned.files.get('README.md'),
        });
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    }
  }
}
