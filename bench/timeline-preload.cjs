// Preloaded by bench/timeline.mjs (`node -r`) into a lint and, through the process's exec
// arguments, into its worker thread: appends each moment of a two-thread lint to the file
// named by PGPHASE_TIMELINE, a line each, `<event> <nanoseconds on the process's monotonic
// clock>`, which every thread shares. Appended synchronously: a worker's stderr is lost when
// the process exits.
const { appendFileSync } = require('node:fs');
const threads = require('node:worker_threads');

const file = process.env.PGPHASE_TIMELINE;
const mark = (event) => appendFileSync(file, `${event} ${process.hrtime.bigint()}\n`);

if (threads.isMainThread) {
  // the process started this long before now (performance.now() counts from its start)
  appendFileSync(file, `start ${process.hrtime.bigint() - BigInt(Math.round(performance.now() * 1e6))}\n`);
  const { Worker } = threads;
  threads.Worker = class extends Worker {
    constructor(...args) {
      mark('worker made');
      super(...args);
      const post = this.postMessage.bind(this);
      this.postMessage = (message) => {
        mark('sets posted');
        post(message);
      };
    }
  };
  const write = process.stdout.write.bind(process.stdout);
  let written = false;
  process.stdout.write = (chunk, ...rest) => {
    if (!written && chunk.length > 0) {
      written = true;
      mark('report written');
    }
    return write(chunk, ...rest);
  };
  process.on('exit', () => mark('exit'));
} else {
  mark("worker's first line");
  threads.parentPort.once('message', () => mark('worker has its sets'));
  const post = threads.parentPort.postMessage.bind(threads.parentPort);
  let first = true;
  threads.parentPort.postMessage = (message) => {
    if (message === 'end') mark("worker's end");
    else if (first) mark("worker's first set done");
    first = false;
    post(message);
  };
}
