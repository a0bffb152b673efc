// The names of the layouts discovery knows: data only, so that the CLI can offer them
// (`--layout`) without loading discovery.
export const LAYOUTS = [
  'plain',
  'flyway',
  'golang-migrate',
  'up-down',
  'version-dirs',
  'pop',
  'prisma',
  'diesel',
  'dbmate',
  'goose',
  'sqitch',
  'drizzle',
  'node-pg-migrate',
  'liquibase',
  'atlas',
  'supabase',
  'sqlx',
  'tern',
  'temporal-sql-tool',
] as const;

export type LayoutName = (typeof LAYOUTS)[number];
