// `npm run bench:lint` runs `node bench/lint.js`; the benchmark is bench/lint.mjs.
import './lint.mjs';
