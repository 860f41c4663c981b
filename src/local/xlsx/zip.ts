/**
 * The zip container of an .xlsx package, read and rewritten so that every part Milepost does not
 * change is copied as it was: the same compressed bytes, the same CRC. Only the parts we replace
 * are compressed anew (node:zlib, native). Format: PKWARE APPNOTE.TXT (the .ZIP File Format
 * Specification) — end of central directory record (4.3.16), central directory file header
 * (4.3.12), local file header (4.3.7); OOXML packages use methods 0 (stored) and 8 (deflate).
 *
 * Why not a zip library: the ones that rewrite a package (jszip, fflate) inflate and deflate
 * every part in JavaScript, which costs seconds on a sheet formatted to row 1,048,576 and gives
 * no byte-for-byte guarantee for parts we never touched. This file is ~150 lines of a stable
 * format.
 */
import * as zlib from 'node:zlib';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** General purpose flags of the central directory (bit 11: UTF-8 name). */
  flags: number;
  time: number;
  date: number;
  externalAttributes: number;
  versionMadeBy: number;
  /** The compressed bytes as stored. */
  data: Buffer;
}

export class ZipFormatError extends Error {}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The entries of a zip, in the order of its central directory. */
export function readZip(bytes: Buffer): ZipEntry[] {
  const end = findEndOfCentralDirectory(bytes);
  const count = bytes.readUInt16LE(end + 10);
  const offset = bytes.readUInt32LE(end + 16);
  if (count === 0xffff || offset === 0xffffffff) {
    throw new ZipFormatError(
      'it is a ZIP64 archive (over 4 GB or 65,535 parts), which Milepost does not read',
    );
  }
  const entries: ZipEntry[] = [];
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || bytes.readUInt32LE(p) !== CENTRAL) {
      throw new ZipFormatError('its central directory is damaged (the file may be truncated)');
    }
    const nameLength = bytes.readUInt16LE(p + 28);
    const extraLength = bytes.readUInt16LE(p + 30);
    const commentLength = bytes.readUInt16LE(p + 32);
    const localOffset = bytes.readUInt32LE(p + 42);
    const flags = bytes.readUInt16LE(p + 8);
    const name = bytes.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength);
    const compressedSize = bytes.readUInt32LE(p + 20);
    entries.push({
      name,
      method: bytes.readUInt16LE(p + 10),
      crc: bytes.readUInt32LE(p + 16),
      compressedSize,
      size: bytes.readUInt32LE(p + 24),
      flags,
      time: bytes.readUInt16LE(p + 12),
      date: bytes.readUInt16LE(p + 14),
      externalAttributes: bytes.readUInt32LE(p + 38),
      versionMadeBy: bytes.readUInt16LE(p + 4),
      data: localData(bytes, localOffset, compressedSize, name),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEndOfCentralDirectory(bytes: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  for (let p = bytes.length - 22; p >= stop; p--) {
    if (bytes.readUInt32LE(p) === EOCD) return p;
  }
  throw new ZipFormatError(
    bytes.length === 0
      ? 'the file is empty'
      : 'it is not a zip package (an .xlsx is one); it may be truncated',
  );
}

function localData(bytes: Buffer, offset: number, size: number, name: string): Buffer {
  if (offset + 30 > bytes.length || bytes.readUInt32LE(offset) !== LOCAL) {
    throw new ZipFormatError(`part ${name} is damaged (the file may be truncated)`);
  }
  const start = offset + 30 + bytes.readUInt16LE(offset + 26) + bytes.readUInt16LE(offset + 28);
  if (start + size > bytes.length)
    throw new ZipFormatError(`part ${name} is cut short (the file is truncated)`);
  return bytes.subarray(start, start + size);
}

/** The uncompressed content of an entry, checked against its CRC. */
export function inflate(entry: ZipEntry): Buffer {
  if (entry.method !== 8) return checked(entry, stored(entry));
  let out: Buffer;
  try {
    out = zlib.inflateRawSync(entry.data, inflateOptions(entry));
  } catch (error) {
    throw damaged(entry, error);
  }
  return checked(entry, out);
}

/**
 * `inflate` on libuv's thread pool: a package's large sheets decompress side by side, and while
 * the main thread reads the ones already done.
 */
export async function inflateAsync(entry: ZipEntry): Promise<Buffer> {
  if (entry.method !== 8) return inflate(entry);
  const out = await new Promise<Buffer>((resolve, reject) =>
    zlib.inflateRaw(entry.data, inflateOptions(entry), (error, result) =>
      error ? reject(damaged(entry, error)) : resolve(result),
    ),
  );
  return checked(entry, out);
}

/** One output chunk of the known size: a large sheet inflates in half the time. */
function inflateOptions(entry: ZipEntry): zlib.ZlibOptions {
  return { chunkSize: Math.min(Math.max(entry.size, 64 * 1024), 256 * 1024 * 1024) };
}

function stored(entry: ZipEntry): Buffer {
  if (entry.method === 0) return entry.data;
  throw new ZipFormatError(`part ${entry.name} uses compression method ${entry.method}`);
}

function damaged(entry: ZipEntry, error: unknown): ZipFormatError {
  return new ZipFormatError(`part ${entry.name} cannot be decompressed: ${(error as Error).message}`);
}

function checked(entry: ZipEntry, out: Buffer): Buffer {
  if (crc32(out) !== entry.crc) throw new ZipFormatError(`part ${entry.name} is damaged (checksum mismatch)`);
  return out;
}

/** A new deflated entry holding `content`, with the attributes of `like` when given. */
export function deflatedEntry(name: string, content: Buffer, like?: ZipEntry): ZipEntry {
  return entryOf(name, [content], zlib.deflateRawSync(content, DEFLATE), like);
}

/**
 * `deflatedEntry` on libuv's thread pool, so that several parts compress at once. The content
 * may come in pieces (a sheet's edited head and its untouched tail): they are compressed as one
 * stream, never copied into one buffer.
 */
export async function deflatedEntryAsync(
  name: string,
  content: Buffer | readonly Buffer[],
  like?: ZipEntry,
): Promise<ZipEntry> {
  const pieces = Buffer.isBuffer(content) ? [content] : content;
  const data = await new Promise<Buffer>((resolve, reject) => {
    const deflate = zlib.createDeflateRaw(DEFLATE);
    const out: Buffer[] = [];
    deflate.on('data', (chunk: Buffer) => out.push(chunk));
    deflate.on('end', () => resolve(Buffer.concat(out)));
    deflate.on('error', reject);
    for (const piece of pieces) deflate.write(piece);
    deflate.end();
  });
  return entryOf(name, pieces, data, like);
}

/** Level 1: a formatted sheet can be tens of megabytes; the size difference is small. */
const DEFLATE: zlib.ZlibOptions = { level: 1 };

function entryOf(name: string, pieces: readonly Buffer[], data: Buffer, like?: ZipEntry): ZipEntry {
  const now = dosTime(new Date());
  return {
    name,
    method: 8,
    crc: pieces.reduce((crc, piece) => crc32(piece, crc), 0),
    compressedSize: data.length,
    size: pieces.reduce((n, piece) => n + piece.length, 0),
    flags: (like?.flags ?? 0x800) & 0x800,
    time: like?.time ?? now.time,
    date: like?.date ?? now.date,
    externalAttributes: like?.externalAttributes ?? 0,
    versionMadeBy: like?.versionMadeBy ?? 20,
    data,
  };
}

/** The zip of `entries`, in order: local headers rebuilt, compressed data copied as given. */
export function writeZip(entries: ZipEntry[]): Buffer {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, e.flags & 0x800 ? 'utf8' : 'latin1');
    // Bit 3 (sizes in a trailing data descriptor) is cleared: sizes are written up front.
    const flags = e.flags & 0x800;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL, 0);
    commonFields(local, 4, e, flags, name.length);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(CENTRAL, 0);
    header.writeUInt16LE(e.versionMadeBy, 4);
    commonFields(header, 6, e, flags, name.length);
    header.writeUInt32LE(e.externalAttributes, 38);
    header.writeUInt32LE(offset, 42);
    chunks.push(local, name, e.data);
    central.push(header, name);
    offset += local.length + name.length + e.data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(EOCD, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...chunks, directory, end]);
}

/**
 * The fields local and central headers share, in the same order (APPNOTE 4.3.7 and 4.3.12):
 * version needed, flags, method, time, date, CRC-32, sizes, name length (extra fields: none).
 */
function commonFields(buffer: Buffer, at: number, e: ZipEntry, flags: number, nameLength: number): void {
  buffer.writeUInt16LE(20, at);
  buffer.writeUInt16LE(flags, at + 2);
  buffer.writeUInt16LE(e.method, at + 4);
  buffer.writeUInt16LE(e.time, at + 6);
  buffer.writeUInt16LE(e.date, at + 8);
  buffer.writeUInt32LE(e.crc, at + 10);
  buffer.writeUInt32LE(e.data.length, at + 14);
  buffer.writeUInt32LE(e.size, at + 18);
  buffer.writeUInt16LE(nameLength, at + 22);
}

function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((Math.max(d.getFullYear(), 1980) - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/**
 * CRC-32 of the zip format: node:zlib's (Node 20.15+), or a table when it has none. `initial` is
 * the CRC of what came before, to go on over a piece.
 */
export function crc32(data: Buffer, initial = 0): number {
  const native = (zlib as { crc32?: (d: Buffer, v?: number) => number }).crc32;
  if (native) return native(data, initial) >>> 0;
  let c = ~initial;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
