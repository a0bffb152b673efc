// What a column type change means for the running application version: whether old
// code keeps working with the new type (a widening it tolerates).
import type { TypeRef } from './changes.js';

const INT_WIDTH: Record<string, number> = { int2: 2, int4: 4, int8: 8 };

function mod(t: TypeRef, i: number): number | undefined {
  const v = t.mods[i];
  return typeof v === 'number' ? v : undefined;
}

/**
 * True when values of `from` always fit `to` and read back the same, so the previous
 * application version keeps working: varchar(n)→varchar(m≥n)/text, int widening,
 * numeric precision up at the same scale, the same type.
 */
export function isToleratedWidening(from: TypeRef, to: TypeRef): boolean {
  if (from.array !== to.array) return false;
  if (from.name === to.name && from.schema === to.schema && from.mods.join() === to.mods.join()) return true;
  const fromInt = INT_WIDTH[from.name];
  const toInt = INT_WIDTH[to.name];
  if (fromInt !== undefined && toInt !== undefined) return toInt >= fromInt;
  if (from.name === 'varchar' && (to.name === 'text' || (to.name === 'varchar' && (to.mods.length === 0 || (mod(to, 0) ?? 0) >= (mod(from, 0) ?? Infinity))))) return true;
  if (from.name === 'numeric' && to.name === 'numeric') {
    if (to.mods.length === 0) return true;
    const [fp, fs, tp, ts] = [mod(from, 0), mod(from, 1) ?? 0, mod(to, 0), mod(to, 1) ?? 0];
    return fp !== undefined && tp !== undefined && tp >= fp && ts === fs;
  }
  return false;
}
