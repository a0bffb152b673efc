import { describe, expect, it } from 'vitest';
import { clipBytes, defaultName } from '../../src/sql/names.js';

describe('clipBytes', () => {
  it('cuts between characters, never inside one or inside a surrogate pair', () => {
    expect(clipBytes('abc', 3)).toBe('abc');
    expect(clipBytes('aé', 2)).toBe('a');
    expect(clipBytes('🎉🎉', 7)).toBe('🎉');
    expect(clipBytes('🎉', 3)).toBe('');
  });

  it('is linear in the length of the name', () => {
    expect(clipBytes('🎉'.repeat(1_000_000), 63)).toBe('🎉'.repeat(15));
  });
});

describe('defaultName', () => {
  // names as PostgreSQL 15 chose them for the same statements
  it('shortens a multibyte table name by whole characters', () => {
    expect(defaultName('🎉'.repeat(15), ['a'], 'check')).toBe(`${'🎉'.repeat(13)}_a_check`);
  });

  it('uses the first column names only, however many columns there are', () => {
    const columns = Array.from({ length: 100_000 }, (_, i) => `column_number_${i}`);
    expect(defaultName('tab', columns, 'idx')).toBe('tab_column_number_0_column_number_1_column_number_2_column__idx');
    expect(defaultName('tab', columns.slice(0, 30), 'key')).toBe('tab_column_number_0_column_number_1_column_number_2_column__key');
  });
});
