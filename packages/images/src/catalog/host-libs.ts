import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { LayerEntry } from "../layer/entries.ts";

const run = promisify(execFile);

/**
 * The shared libraries an `ldd` listing names, by absolute path: resolved
 * ones (`libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)`) and the
 * program interpreter (`/lib64/ld-linux-x86-64.so.2 (0x…)`); the vDSO is
 * the kernel's and is skipped. A static program lists none. Throws naming
 * the library when one is not found.
 */
export function parseLdd(output: string, program: string): string[] {
  if (/not a dynamic executable|statically linked/.test(output)) return [];
  const paths: string[] = [];
  for (const line of output.split("\n").map((l) => l.trim())) {
    const missing = /^(\S+) => not found/.exec(line);
    if (missing) throw new Error(`${program} needs ${missing[1] ?? ""}, which this machine does not have; install the package that provides it`);
    const path = /=> (\/\S+) \(/.exec(line)?.[1] ?? /^(\/\S+) \(/.exec(line)?.[1];
    if (path !== undefined) paths.push(path);
  }
  return paths;
}

/**
 * A program from this machine with the shared libraries it loads, at the
 * paths the dynamic linker looks for them (the files' contents, symbolic
 * links followed). This is how a dynamically linked program — Node.js —
 * runs in an image with no distribution in it: glibc's loader, libc,
 * libstdc++, libm, libgcc_s and so on, copied from the host. Since glibc
 * 2.34 the files and dns NSS modules are inside libc, so name lookups need
 * nothing more.
 */
export async function hostProgram(source: string, path: string): Promise<LayerEntry[]> {
  const output = await ldd(source);
  return [{ type: "file", path, source, mode: 0o755 }, ...parseLdd(output, source).map((lib): LayerEntry => ({ type: "file", path: lib, source: lib, mode: 0o755 }))];
}

async function ldd(program: string): Promise<string> {
  try {
    return (await run("ldd", [program])).stdout;
  } catch (error) {
    // ldd exits 1 for a static program, with its verdict on stdout or stderr.
    const failed = error as { stdout?: string; stderr?: string; code?: unknown };
    if (failed.code === "ENOENT") throw new Error(`ldd is needed to find ${program}'s shared libraries; install it (Debian: libc-bin)`);
    return `${failed.stdout ?? ""}${failed.stderr ?? ""}`;
  }
}
