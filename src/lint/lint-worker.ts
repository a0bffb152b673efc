// A worker thread of `lint()` (threads.ts): started before its work is known, it loads the
// parser while it waits for it, then lints the sets it claims from the shared counter and posts
// each one's results as lines, and its end once none is left.
import { parentPort } from 'node:worker_threads';
import { loadParser } from '../sql/source.js';
import { fileLine } from './result.js';
import { SetLinter } from './set.js';
import { ownRules, type Posted, type Work } from './threads.js';

const parser = loadParser();
parentPort!.once('message', ({ sets, options, next }: Work) => {
  const linter = new SetLinter({ ...options, rules: options.rules.map((id) => ownRules.get(id)!) });
  const claimed = new Int32Array(next);
  void parser.then(() => {
    for (let k = Atomics.add(claimed, 0, 1); k < sets.length; k = Atomics.add(claimed, 0, 1))
      parentPort!.postMessage({ set: k, lines: linter.set(sets[k]!).map(fileLine) } satisfies Posted);
    parentPort!.postMessage('end' satisfies Posted);
  });
});
