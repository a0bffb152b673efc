// The one schema of pgphase's configuration: strict objects, defaults in the schema,
// types inferred from it.
import { z } from 'zod';
import { LAYOUTS, type LayoutName } from '../discover/index.js';

export const SUPPORTED_PG = { min: 11, max: 18 } as const;
export const DEFAULT_PG_VERSION = 15;

export const severitySetting = z.enum(['off', 'warning', 'error']);

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Migration directories (or files) linted when `pgphase lint` gets no path. */
  migrations: z.union([z.string(), z.array(z.string())]).optional(),
  /** The migration tool's layout; detected from the directory when absent. */
  layout: z.enum(LAYOUTS as [LayoutName, ...LayoutName[]]).optional(),
  /** Target PostgreSQL major version. */
  pgVersion: z.int().min(SUPPORTED_PG.min).max(SUPPORTED_PG.max).default(DEFAULT_PG_VERSION),
  /** Does the migration tool wrap each file in a transaction? Overrides the layout's default. */
  transaction: z.enum(['per-file', 'implicit', 'none']).optional(),
  /** Severity per rule id. */
  rules: z.record(z.string(), severitySetting).default({}),
  /** Glob patterns (relative to the config file) of files never linted. */
  ignorePaths: z.array(z.string()).default([]),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
