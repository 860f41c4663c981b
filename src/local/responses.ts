/**
 * responses.jsonl: the local backend's form responses, one JSON object per line, appended by
 * the local form server (or by hand) and read whole by every sync.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Problem, RawSubmission, Submission } from '../core/types';

export interface ResponsesRead {
  raw: RawSubmission[];
  problems: Problem[];
}

/**
 * Every line of the file as a raw submission (validation is the core's job). A missing file
 * holds no responses; blank lines are skipped; a line that is not JSON is a problem naming the
 * line, and the other lines are still returned. A UTF-8 BOM and CRLF line ends are accepted.
 */
export async function readResponses(file: string): Promise<ResponsesRead> {
  let content: string;
  try {
    content = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { raw: [], problems: [] };
    throw error;
  }
  return parseResponses(content, path.basename(file));
}

export function parseResponses(content: string, source = 'responses.jsonl'): ResponsesRead {
  const raw: RawSubmission[] = [];
  const problems: Problem[] = [];
  const lines = content.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((line, i) => {
    const lineNumber = i + 1;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return;
    try {
      raw.push({ where: `${source} line ${lineNumber}`, value: JSON.parse(text) });
    } catch (error) {
      problems.push({
        severity: 'error',
        tab: source,
        row: lineNumber,
        value: text.length > 80 ? `${text.slice(0, 77)}...` : text,
        message: `line ${lineNumber} is not valid JSON: ${(error as Error).message}`,
        expected: 'one JSON object per line',
      });
    }
  });
  return { raw, problems };
}

/**
 * Appends one submission as one line. The file is opened with O_APPEND and the whole line,
 * newline included, goes to the kernel in a single write(2): for a regular file on a local file
 * system POSIX makes the seek-to-end and the write one atomic step, and Linux holds the inode
 * lock for the whole write, so lines from concurrent appenders (threads or processes) never
 * interleave or overwrite each other, whatever their length. (Not guaranteed on NFS.)
 */
export async function appendResponse(file: string, submission: Submission): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const handle = await fs.open(file, 'a+');
  try {
    // A file saved without a final newline (editors do that to a pasted line), or a line torn by
    // a failed append, must not swallow this one: it starts on a line of its own. Two appenders
    // that both see the missing newline add a blank line at worst, which readers skip.
    const lead = (await endsWithNewline(handle)) ? '' : '\n';
    const line = Buffer.from(`${lead}${JSON.stringify(submission)}\n`, 'utf8');
    try {
      const { bytesWritten } = await handle.write(line, 0, line.length);
      if (bytesWritten !== line.length) {
        throw new Error(`Only ${bytesWritten} of ${line.length} bytes of a response were written to ${file}`);
      }
      await handle.sync();
    } catch (error) {
      // End whatever part went in, so the next person's line is not glued to it; the torn line
      // is then one unreadable line, reported by the next sync, and this post is not confirmed.
      await handle.write('\n').catch(() => undefined);
      throw error;
    }
  } finally {
    await handle.close();
  }
}

/** Whether the file is empty or its last byte is a newline. */
async function endsWithNewline(handle: fs.FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}
