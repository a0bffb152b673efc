// The layouts `plan --emit` writes: data only, so that the CLI can offer them without loading emission.
import type { LayoutName } from '../../discover/names.js';

export type EmitLayout = LayoutName;

export const EMIT_LAYOUTS: readonly EmitLayout[] = [
  'golang-migrate',
  'prisma',
  'flyway',
  'dbmate',
  'goose',
  'diesel',
  'sqitch',
  'drizzle',
  'node-pg-migrate',
  'supabase',
  'atlas',
  'pop',
  'up-down',
  'version-dirs',
  'liquibase',
  'plain',
];

