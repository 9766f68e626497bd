import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/**
 * Writes a file through a temporary sibling and a rename, so a reader (or a
 * crash half-way) never sees a half-written token or key file. The mode is
 * set on the temporary file before any secret lands in it.
 */
export async function writeFileAtomic(path: string, contents: string, mode: number): Promise<void> {
  const temporary = join(dirname(path), `.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temporary, "", { mode, flag: "wx" });
    // writeFile's mode is filtered by the umask; chmod makes it exact.
    await chmod(temporary, mode);
    await writeFile(temporary, contents);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Reads a file, or undefined when it does not exist (any other error is thrown). */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Creates a directory readable by its owner only (or tightens an existing one). */
export async function ensurePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
}
