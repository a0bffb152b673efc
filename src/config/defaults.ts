// The configuration's defaults, apart from its zod schema so that a run without a config
// file never loads the validator (a test holds them equal to the schema's defaults).
export const DEFAULT_CONFIG = Object.freeze({
  pgVersion: 15,
  maxLockTimeout: '5s',
  rules: {},
  ignorePaths: [] as string[],
});
