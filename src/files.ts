// The file functions that return promises, for all of pgphase: node:fs's, promisified. Node's
// own node:fs/promises is not in its start-up snapshot, and loading it (with the readline and
// file-watching modules it loads) is 4.5% of the instructions of a lint of one file over a
// 50-file history (509 -> 486 M, callgrind); node:fs and node:util are loaded at start-up.
import * as fs from 'node:fs';
import { promisify } from 'node:util';

export const lstat = promisify(fs.lstat);
export const mkdir = promisify(fs.mkdir);
export const mkdtemp = promisify(fs.mkdtemp);
export const readdir = promisify(fs.readdir);
export const readFile = promisify(fs.readFile);
export const rename = promisify(fs.rename);
export const rm = promisify(fs.rm);
export const rmdir = promisify(fs.rmdir);
export const stat = promisify(fs.stat);
export const writeFile = promisify(fs.writeFile);
