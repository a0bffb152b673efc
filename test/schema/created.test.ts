import { describe, expect, it } from 'vitest';
import { CreatedHere } from '../../src/schema/created.js';
import { replay, SchemaModel } from '../../src/schema/model.js';
import { loadParser, parseSource } from '../../src/sql/source.js';

await loadParser();

function created(sql: string): CreatedHere {
  const here = new CreatedHere();
  replay(parseSource('m.sql', sql), new SchemaModel(), here);
  return here;
}

describe('CreatedHere', () => {
  it('tells a new table from one of the same name in another schema', () => {
    const here = created('CREATE TABLE app.t (id int); CREATE TABLE u (id int); ALTER TABLE u RENAME TO v;');
    expect(here.isNewTable({ schema: 'app', name: 't' })).toBe(true);
    expect(here.isNewTable({ name: 't' })).toBe(false);
    expect(here.isNewTable({ schema: 'public', name: 'v' })).toBe(true);
    expect(here.isNewTable({ schema: 'other', name: 'v' })).toBe(false);
  });

  it('counts an object created under a name this migration vacated as not new', () => {
    const here = created(
      'DROP VIEW app.old; CREATE VIEW app.old AS SELECT 1; CREATE VIEW fresh AS SELECT 1; DROP VIEW fresh; CREATE VIEW app.fresh AS SELECT 1;',
    );
    expect(here.isNewObject({ schema: 'app', name: 'old' })).toBe(false);
    expect(here.isNewObject({ name: 'fresh' })).toBe(false);
    expect(here.isNewObject({ schema: 'app', name: 'fresh' })).toBe(true);
  });
});
