// Names of the objects a plan creates.
import { createHash } from 'node:crypto';

/**
 * A name derived from `base` for an object pgphase creates, at most 63 bytes: when
 * `base_suffix` is too long, base is cut and a short hash of the full name keeps it unique.
 */
export function derivedName(base: string, suffix: string): string {
  const full = `${base}_${suffix}`;
  if (Buffer.byteLength(full) <= 63) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  let cut = base;
  while (Buffer.byteLength(`${cut}_${hash}_${suffix}`) > 63) cut = cut.slice(0, -1);
  return `${cut}_${hash}_${suffix}`;
}
