// The one schema of pgphase's configuration: strict objects, defaults in the schema,
// types inferred from it.
import { z } from 'zod';
import { LAYOUTS } from '../discover/index.js';
import { DEFAULT_CONFIG } from './defaults.js';

export const SUPPORTED_PG = { min: 11, max: 18 } as const;

export const severitySetting = z.enum(['off', 'warning', 'error']);

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  migrations: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe('Migration directories (or files) linted when `pgphase lint` gets no path'),
  layout: z.enum(LAYOUTS).optional().describe("The migration tool's layout; detected from the directory when absent"),
  pgVersion: z
    .int()
    .min(SUPPORTED_PG.min)
    .max(SUPPORTED_PG.max)
    .default(DEFAULT_CONFIG.pgVersion)
    .describe('Target PostgreSQL major version'),
  transaction: z
    .enum(['per-file', 'implicit', 'none'])
    .optional()
    .describe(
      "How the migration tool runs a file: in a transaction of its own, as one implicit transaction (one query string), or statement by statement; overrides the layout's default",
    ),
  maxLockTimeout: z
    .string()
    .regex(/^\d+(?:\.\d+)?(?:ms|s|min)$/, 'expected a duration like 5s, 500ms or 1min')
    .default(DEFAULT_CONFIG.maxLockTimeout)
    .describe(
      'The longest lock_timeout a migration may set (`lock-timeout-too-long`): a statement queued for a lock holds up the queries behind it that long',
    ),
  rules: z
    .record(z.string(), severitySetting)
    .default(() => ({}))
    .describe('Severity per rule id'),
  ignorePaths: z
    .array(z.string())
    .default(() => [])
    .describe('Glob patterns, relative to the config file, of files never linted'),
  maxLockMs: z
    .int()
    .min(0)
    .optional()
    .describe(
      'With table sizes (`--stats-from`): a rewrite, scan or index build estimated to hold its lock for at most this many milliseconds is a warning, not an error (default 1000)',
    ),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
