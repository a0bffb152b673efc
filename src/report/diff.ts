// A unified diff of two texts, as `pgphase lint --fix-dry-run` prints the fixes it would make.

type Op = [' ' | '-' | '+', string];

/** The line operations from `a` to `b`: the common prefix and suffix as they are, the middle by longest common subsequence. */
function lineOps(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  // lcs[i][j]: the longest common subsequence of x[i..] and y[j..]
  const lcs = Array.from({ length: x.length + 1 }, () => new Uint32Array(y.length + 1));
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const middle: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      middle.push([' ', x[i++]!]);
      j++;
    } else if (i < x.length && (j === y.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) middle.push(['-', x[i++]!]);
    else middle.push(['+', y[j++]!]);
  }
  return [
    ...a.slice(0, head).map((l): Op => [' ', l]),
    ...middle,
    ...a.slice(a.length - tail).map((l): Op => [' ', l]),
  ];
}

/** `--- a/path`, `+++ b/path` (an absolute path as it is) and hunks with `context` lines around each change; empty when the texts are equal. */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const ops = lineOps(before.split('\n'), after.split('\n'));
  const changed = ops.flatMap((op, k) => (op[0] === ' ' ? [] : [k]));
  // git's a/ and b/ prefixes on a relative path, so that `git apply` takes the diff
  const [a, b] = path.startsWith('/') ? [path, path] : [`a/${path}`, `b/${path}`];
  let out = `--- ${a}\n+++ ${b}\n`;
  let k = 0;
  while (k < changed.length) {
    // a hunk: changes whose context overlaps, with `context` lines on each side
    let last = k;
    while (last + 1 < changed.length && changed[last + 1]! - changed[last]! <= 2 * context) last++;
    const from = Math.max(0, changed[k]! - context);
    const to = Math.min(ops.length, changed[last]! + context + 1);
    const before = ops.slice(0, from);
    const oldStart = before.filter((o) => o[0] !== '+').length + 1;
    const newStart = before.filter((o) => o[0] !== '-').length + 1;
    const hunk = ops.slice(from, to);
    const oldCount = hunk.filter((o) => o[0] !== '+').length;
    const newCount = hunk.filter((o) => o[0] !== '-').length;
    out += `@@ -${oldCount === 0 ? oldStart - 1 : oldStart},${oldCount} +${newCount === 0 ? newStart - 1 : newStart},${newCount} @@\n`;
    out += hunk.map(([sign, line]) => `${sign}${line}\n`).join('');
    k = last + 1;
  }
  return out;
}
