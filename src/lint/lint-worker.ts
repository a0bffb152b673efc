// A worker thread of `lint()` (threads.ts): lints the sets it claims from the shared counter
// and posts each one's results.
import { parentPort, workerData } from 'node:worker_threads';
import { loadParserFrom } from '../sql/source.js';
import { SetLinter } from './set.js';
import { ownRules, type Done, type Work } from './threads.js';

const { sets, options, next, parser } = workerData as Work;
const linter = new SetLinter({ ...options, rules: options.rules.map((id) => ownRules.get(id)!) });
const claimed = new Int32Array(next);
void loadParserFrom(parser).then(() => {
  for (let k = Atomics.add(claimed, 0, 1); k < sets.length; k = Atomics.add(claimed, 0, 1))
    parentPort!.postMessage({ set: k, files: linter.set(sets[k]!) } satisfies Done);
});
