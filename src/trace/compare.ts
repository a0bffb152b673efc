// Where PostgreSQL and lint disagree about a statement: a lock lint expects that PostgreSQL
// did not take (or took in another mode), a traffic-blocking lock lint missed, a rewrite or a
// scan a finding claims that did not happen, or one that happened with no finding. Each is a
// bug of a rule or of the lock table in src/sql/locks.ts.
import { TRAFFIC_BLOCKING, type LockMode } from '../sql/locks.js';
import type { TracedStatement, Relation } from './observe.js';
import { RULE_WORK, stronger, tableKey, type StaticStatement } from './static.js';

export interface Disagreement {
  line: number;
  kind: 'lock' | 'rewrite' | 'scan';
  message: string;
}

const TABLE_KINDS: ReadonlySet<Relation['kind']> = new Set(['table', 'partitioned table', 'materialized view']);

function existingTable(r: Relation): boolean {
  return !r.isNew && TABLE_KINDS.has(r.kind);
}

const show = (r: Relation) => (r.schema === 'public' ? r.name : `${r.schema}.${r.name}`);

/**
 * Compares the trace of one file with lint's view of its statements. A lock an earlier
 * statement of the same transaction took is held when a later one asks for it.
 */
export function disagreements(
  traced: readonly TracedStatement[],
  lint: ReadonlyMap<number, StaticStatement>,
): Disagreement[] {
  const out: Disagreement[] = [];
  // the strongest lock held per table in each transaction so far
  const held = new Map<number, Map<string, { mode: LockMode; relation: Relation }>>();
  for (const s of traced) {
    if (s.error) break;
    const claimed = lint.get(s.line);
    const tx = s.transaction;
    const holding = held.get(tx) ?? new Map<string, { mode: LockMode; relation: Relation }>();
    held.set(tx, holding);
    const mine = new Map<string, { mode: LockMode; relation: Relation }>();
    for (const l of s.locks) {
      if (!existingTable(l.relation)) continue;
      const key = tableKey(l.relation.schema, l.relation.name);
      const had = mine.get(key);
      mine.set(key, { mode: had ? stronger(had.mode, l.mode) : l.mode, relation: l.relation });
      const h = holding.get(key);
      holding.set(key, { mode: h ? stronger(h.mode, l.mode) : l.mode, relation: l.relation });
    }
    const expected = claimed?.locks ?? new Map<string, LockMode>();
    // a lock follows its table to its new name, where the next statements name it
    const renamed = () => {
      for (const { relation, to } of s.renames) {
        const from = tableKey(relation.schema, relation.name);
        const h = holding.get(from);
        if (!h) continue;
        holding.delete(from);
        holding.set(tableKey(to.schema, to.name), { ...h, relation: { ...h.relation, ...to } });
      }
    };
    for (const [key, mode] of expected) {
      const got = holding.get(key);
      // sampled statements may end before a lock is seen: only what was seen counts against lint
      if (!got && s.observed === 'sampled') continue;
      const own = mine.get(key)?.mode;
      const where = got ? show(got.relation) : key.replace(/^public\./, '');
      if (!got)
        out.push({
          line: s.line,
          kind: 'lock',
          message: `lint expects ${mode} on ${where}, PostgreSQL took no lock on it`,
        });
      else if (own !== undefined && own !== mode && stronger(own, mode) === own)
        out.push({ line: s.line, kind: 'lock', message: `lint expects ${mode} on ${where}, PostgreSQL took ${own}` });
      else if (got.mode !== mode && stronger(got.mode, mode) === mode)
        out.push({
          line: s.line,
          kind: 'lock',
          message: `lint expects ${mode} on ${where}, PostgreSQL took only ${got.mode}`,
        });
    }
    for (const [key, { mode, relation }] of mine) {
      if (!expected.has(key) && TRAFFIC_BLOCKING.has(mode))
        out.push({
          line: s.line,
          kind: 'lock',
          message: `PostgreSQL took ${mode} on ${show(relation)}, which lint does not expect`,
        });
    }
    const work = new Set((claimed?.findings ?? []).map((f) => RULE_WORK[f.rule]).filter((w) => w !== undefined));
    const rewritten = s.rewrites.filter(existingTable);
    const truncates = claimed?.kinds.includes('truncate') ?? false;
    if (rewritten.length && !work.has('rewrite') && !truncates)
      out.push({
        line: s.line,
        kind: 'rewrite',
        message: `PostgreSQL rewrote ${rewritten.map(show).join(', ')}, and no finding says so`,
      });
    if (!rewritten.length && work.has('rewrite')) {
      const rules = claimed!.findings.filter((f) => RULE_WORK[f.rule] === 'rewrite').map((f) => f.rule);
      out.push({
        line: s.line,
        kind: 'rewrite',
        message: `${[...new Set(rules)].join(', ')} says it rewrites a table; PostgreSQL rewrote none`,
      });
    }
    // a scan that only reads (a rewrite or an index build reads the table too)
    const scanned = s.scans.filter((x) => existingTable(x.relation));
    const blocking = (r: Relation) => {
      const key = tableKey(r.schema, r.name);
      const mode = mine.get(key)?.mode ?? expected.get(key);
      const strongest = holding.get(key)?.mode ?? mode;
      // the application only reads a materialized view: only ACCESS EXCLUSIVE stops that
      if (r.kind === 'materialized view') return strongest === 'ACCESS EXCLUSIVE';
      return (
        mode !== undefined && TRAFFIC_BLOCKING.has(mode) && strongest !== undefined && TRAFFIC_BLOCKING.has(strongest)
      );
    };
    const underLock = scanned.filter((x) => blocking(x.relation));
    // TRUNCATE builds the indexes of the new, empty file; a NOT NULL column added without a
    // default is checked on a table that must be empty (add-required-column says it fails on rows)
    const emptyOnly = truncates || (claimed?.findings.some((f) => f.rule === 'add-required-column') ?? false);
    if (underLock.length && work.size === 0 && !emptyOnly && s.observed === 'in-transaction')
      out.push({
        line: s.line,
        kind: 'scan',
        message: `PostgreSQL scanned ${underLock.map((x) => show(x.relation)).join(', ')} under a lock that blocks traffic, and no finding says so`,
      });
    if (!scanned.length && !rewritten.length && work.has('scan') && s.observed === 'in-transaction') {
      const rules = claimed!.findings.filter((f) => RULE_WORK[f.rule] === 'scan').map((f) => f.rule);
      out.push({
        line: s.line,
        kind: 'scan',
        message: `${[...new Set(rules)].join(', ')} says it scans a table; PostgreSQL scanned none`,
      });
    }
    renamed();
  }
  return out;
}
