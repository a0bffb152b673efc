import { ruleCases } from '../helpers/lint.js';

const fn =
  'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;';

await ruleCases('create-trigger', {
  valid: [
    {
      sql: `${fn}\nCREATE TABLE t (updated_at timestamptz);\nCREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
    },
    {
      sql: `CREATE VIEW v AS SELECT 1 AS a;\nCREATE TRIGGER v_insert INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION touch();`,
    },
  ],
  invalid: [
    {
      sql: 'CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();',
      at: ['1:1'],
      message: 'Trigger "users_touch" on "users" runs on the writes of the running version',
      severity: 'warning',
    },
    {
      history: 'CREATE TABLE app.users (a int);',
      sql: 'CREATE OR REPLACE TRIGGER users_touch AFTER INSERT ON app.users FOR EACH ROW EXECUTE FUNCTION touch();',
      at: ['1:1'],
      message: '"app"."users"',
    },
  ],
});
