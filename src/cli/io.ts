// What a command reads and writes: the process's streams, environment and directory, or a test's.
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

/** The longest piece of text written at once. Node encodes a string it writes to a stream into
 *  room for three bytes a character, but counts the UTF-8 bytes of a longer one first, a pass
 *  over the whole string: a lint's JSON report runs to megabytes (7.3 MB over the 19 real
 *  histories, one pass of 65 million instructions, 1.1% of a cold lint). */
const PIECE = 65_535;

/** Writes `text` in pieces of at most PIECE characters, each ending between two characters
 *  (never between the halves of a surrogate pair, which would be written as two U+FFFD). */
export function writeText(stream: { write(text: string): unknown }, text: string): void {
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + PIECE, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    stream.write(text.slice(start, end));
    start = end;
  }
}

export const processIo = (): Io => ({
  stdout: (text) => writeText(process.stdout, text),
  stderr: (text) => writeText(process.stderr, text),
  stdin: readStdin,
  env: process.env,
  isTTY: process.stdout.isTTY === true,
  cwd: process.cwd(),
});
