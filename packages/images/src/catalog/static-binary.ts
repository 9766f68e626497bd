import { closeSync, openSync, readSync } from "node:fs";

/** PT_INTERP: the program header naming the dynamic loader a program needs. */
const programInterpreter = 3;

/**
 * Whether an ELF executable runs without a dynamic loader (no PT_INTERP
 * program header), as a file copied alone into an image must: a dynamic
 * one fails there with "no such file or directory" for its loader. Throws
 * when the file is not ELF. Reads only the headers.
 */
export function isStaticExecutable(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const read = (length: number, position: number): Buffer => {
      const buffer = Buffer.alloc(length);
      if (readSync(fd, buffer, 0, length, position) < length) throw new Error(`${path}: truncated ELF file`);
      return buffer;
    };
    const magic = Buffer.alloc(4);
    readSync(fd, magic, 0, 4, 0);
    if (magic.toString("latin1") !== "\x7fELF") throw new Error(`${path} is not an ELF executable`);
    const ident = read(64, 0);
    const is64 = ident[4] === 2;
    const little = ident[5] === 1;
    const u16 = (b: Buffer, at: number): number => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
    const u32 = (b: Buffer, at: number): number => (little ? b.readUInt32LE(at) : b.readUInt32BE(at));
    const phoff = is64 ? Number(little ? ident.readBigUInt64LE(0x20) : ident.readBigUInt64BE(0x20)) : u32(ident, 0x1c);
    const phentsize = u16(ident, is64 ? 0x36 : 0x2a);
    const phnum = u16(ident, is64 ? 0x38 : 0x2c);
    if (phnum === 0) return true;
    const headers = read(phentsize * phnum, phoff);
    for (let i = 0; i < phnum; i++) if (u32(headers, i * phentsize) === programInterpreter) return false;
    return true;
  } finally {
    closeSync(fd);
  }
}
