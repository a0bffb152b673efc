// What a command reads and writes: the process's streams, environment and directory, or a test's.
import { transcode } from 'node:buffer';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  cwd: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Texts from this length on are written as `utf8Slices` gives them. */
const LONG = 1 << 16;
/** Characters per slice: its UTF-16 copy is 2 MB. */
const SLICE = 1 << 20;
let units: Buffer | undefined;

/**
 * The UTF-8 bytes of `text`, a slice at a time, as writing the string gives them. Written as a
 * string, a text is measured in UTF-8, then encoded, a character at a time once V8 holds it in
 * UTF-16, as it holds a whole report when one message has a `…`: a JSON report of the generated
 * corpus spent 3% of the lint's instructions there. Its UTF-16 copy transcodes with SIMD
 * (simdutf), in one pass. A slice that does not transcode (a lone surrogate) is the string's own
 * slice, which the stream encodes as it would have (U+FFFD for the surrogate).
 */
export function* utf8Slices(text: string, slice = SLICE): Generator<Uint8Array | string> {
  units ??= Buffer.allocUnsafeSlow(2 * SLICE);
  const scratch = slice === SLICE ? units : Buffer.allocUnsafeSlow(2 * slice);
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + slice, text.length);
    // never between the halves of a surrogate pair, which would make two lone surrogates
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff && end < text.length && end - start > 1) end--;
    const part = text.slice(start, end);
    let bytes: Uint8Array | string;
    try {
      bytes = transcode(scratch.subarray(0, scratch.write(part, 'utf16le')), 'utf16le', 'utf8');
    } catch {
      bytes = part;
    }
    yield bytes;
    start = end;
  }
}

function write(stream: NodeJS.WriteStream, text: string): void {
  if (text.length < LONG) {
    stream.write(text);
    return;
  }
  for (const bytes of utf8Slices(text)) stream.write(bytes);
}

export const processIo = (): Io => ({
  stdout: (text) => write(process.stdout, text),
  stderr: (text) => write(process.stderr, text),
  stdin: readStdin,
  env: process.env,
  isTTY: process.stdout.isTTY === true,
  cwd: process.cwd(),
});
