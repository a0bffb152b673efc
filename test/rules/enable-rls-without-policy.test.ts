import { ruleCases } from '../helpers/lint.js';

const history = 'CREATE TABLE documents (id bigint, owner text);';
const policy = 'CREATE POLICY own ON documents USING (owner = current_user);';

await ruleCases('enable-rls-without-policy', {
  valid: [
    { history: `${history}\n${policy}`, sql: 'ALTER TABLE documents ENABLE ROW LEVEL SECURITY;' },
    { history, sql: `${policy}\nALTER TABLE documents ENABLE ROW LEVEL SECURITY;` },
    // the policy comes before the change is visible to anyone
    { history, sql: `ALTER TABLE documents ENABLE ROW LEVEL SECURITY;\n${policy}`, transaction: 'per-file' },
    { sql: 'CREATE TABLE notes (id bigint);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;' },
    { history, sql: 'ALTER TABLE documents DISABLE ROW LEVEL SECURITY;' },
  ],
  invalid: [
    {
      history,
      sql: 'ALTER TABLE documents ENABLE ROW LEVEL SECURITY;',
      at: ['1:1'],
      message: 'on "documents", which has no policy',
    },
    { history, sql: 'ALTER TABLE documents FORCE ROW LEVEL SECURITY;', at: ['1:1'] },
    // a policy made after the change committed comes too late
    { history, sql: `ALTER TABLE documents ENABLE ROW LEVEL SECURITY;\n${policy}`, transaction: 'none', at: ['1:1'] },
    // a policy on another table does not count
    {
      history: `${history}\nCREATE TABLE other (owner text);\nCREATE POLICY own ON other USING (true);`,
      sql: 'ALTER TABLE documents ENABLE ROW LEVEL SECURITY;',
      at: ['1:1'],
    },
  ],
});
