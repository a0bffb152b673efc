// plan.json: the manifest the runner executes. One zod schema, checked on write and on every
// read (an invalid manifest is refused with the field that is wrong); the runner also renders
// each phase file from it again and compares, so steps edited in plan.json are refused too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PlanError } from '../errors.js';
import { LOCK_MODES } from '../sql/locks.js';
import { MANIFEST_VERSION, PHASES } from './types.js';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest');
const name = z.string().min(1);
const schemaObject = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('column'), schema: name, table: name, name, type: name }),
  z.strictObject({ kind: z.enum(['constraint', 'trigger']), schema: name, table: name, name }),
  z.strictObject({ kind: z.enum(['relation', 'function']), schema: name, name }),
]);

export const manifestSchema = z.strictObject({
  version: z.literal(MANIFEST_VERSION),
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'expected letters, digits, ".", "_" or "-"'),
  source: z.strictObject({ path: z.string().min(1), sha256 }),
  pgVersion: z.int().min(11).max(18),
  phases: z
    .array(
      z.strictObject({
        name: z.enum(PHASES),
        file: z.string().regex(/^\d-(expand|trigger|backfill|contract)\.sql$/),
        down: z
          .string()
          .regex(/^\d-(expand|trigger|backfill)\.down\.sql$/)
          .optional(),
        sha256,
        requires: z.string().optional(),
        /** The objects of this plan that exist once the phase is applied: what verify looks for. */
        present: z.array(schemaObject).optional(),
        steps: z.array(
          z.strictObject({
            id: z.string().min(1),
            sql: z.string().min(1),
            down: z.string().optional(),
            lockMode: z.enum(LOCK_MODES).optional(),
            lockTimeout: z.string().regex(/^\d+(ms|s|min)$/),
            concurrent: z.boolean(),
          }),
        ),
        backfills: z
          .array(
            z
              .strictObject({
                table: z.strictObject({ schema: z.string().min(1), name: z.string().min(1) }),
                key: z.array(z.string().min(1)).min(1),
                set: z.string().min(1).optional(),
                where: z.string().min(1).optional(),
                /** The whole statement, batched on its parse tree (instead of set and where). */
                statement: z.string().min(1).optional(),
                /** The rows of a DELETE that reads its own table are chosen once, before the first batch. */
                snapshot: z.literal(true).optional(),
                /** The application's triggers the plan knows that fire on its batches. */
                triggers: z.array(z.string().min(1)).optional(),
                /** An UPDATE that changes no value, written for the triggers it fires: they always fire on its batches. */
                fireTriggers: z.literal(true).optional(),
                batchSize: z.int().min(1),
                /** It runs after this many of the phase's steps; absent: after all of them. */
                afterSteps: z.int().min(0).optional(),
              })
              .refine(
                (b) => (b.statement === undefined) !== (b.where === undefined),
                'expected either statement or where',
              ),
          )
          .optional(),
      }),
    )
    .min(1),
  checks: z.array(z.strictObject({ before: z.enum(PHASES), sql: z.string().min(1) })),
  notes: z.array(z.string()),
  warnings: z.array(z.string()),
  /** The plan proven on a shadow database (src/shadow/prove.ts). */
  proof: z
    .strictObject({
      result: z.enum(['equal', 'differs', 'failed', 'unproven']),
      postgres: z.int().min(1),
      start: z.enum(['history', 'schema', 'database', 'empty']),
      tables: z.int().min(0),
      rows: z.int().min(0),
      undone: z.array(z.enum(PHASES)),
      differences: z.array(z.string()),
      skipped: z.array(z.string()),
      /** Why the proof ran on fewer generated rows than it makes: the rows it made first, on which the migration as written fails, and its error. */
      fewerRows: z.string().optional(),
      /** The generated queries of V and V+1 run at each phase (src/shadow/queries.ts); v1After: the phase V+1 is deployed after (absent: from the start). */
      queries: z.strictObject({ v: z.int().min(0), v1: z.int().min(0), v1After: z.enum(PHASES).optional() }).optional(),
    })
    .optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestPhase = Manifest['phases'][number];

/** Checks a manifest object; the first problem becomes one line naming the field. */
export function validateManifest(value: unknown, where: string): Manifest {
  const result = manifestSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.') || '(top level)';
  throw new PlanError(`${where}: ${path}: ${issue.message}`);
}

/** Reads and checks `<dir>/plan.json`. */
export function readManifest(dir: string): Manifest {
  const file = join(dir, 'plan.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PlanError(
      `${file}: cannot read the plan (${(error as NodeJS.ErrnoException).code ?? 'error'}); run \`pgphase plan\` first`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PlanError(`${file}: invalid JSON: ${(error as Error).message}`);
  }
  return validateManifest(json, file);
}
