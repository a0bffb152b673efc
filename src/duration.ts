// Durations as users write them on the command line and in plans: 500ms, 2s, 1min.

const UNITS: Record<string, number> = { ms: 1, s: 1000, min: 60_000 };

/** Milliseconds of a duration like `2s`; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|min)$/.exec(text.trim());
  return m ? Math.round(Number(m[1]) * UNITS[m[2]!]!) : undefined;
}
