import { lstat, readdir, readlink } from "node:fs/promises";
import { join, posix } from "node:path";
import type { LayerEntry } from "../layer/entries.ts";

/** Which parts of a tree to leave out, by path relative to its root (`/`-separated). */
export type Skip = (relative: string, isDirectory: boolean) => boolean;

/**
 * A directory of this machine as layer entries under `imageDir`: its
 * directories, files and symbolic links (targets kept as they are, so
 * relative links stay right). Owned by root; a file is 0755 when it has
 * any execute bit and 0644 otherwise, so the image does not depend on the
 * umask of whoever checked the files out.
 */
export async function treeEntries(hostDir: string, imageDir: string, skip: Skip = () => false): Promise<LayerEntry[]> {
  const entries: LayerEntry[] = [{ type: "directory", path: imageDir }];
  const walk = async (relative: string): Promise<void> => {
    const children = await readdir(join(hostDir, relative), { withFileTypes: true });
    for (const child of children) {
      const rel = relative === "" ? child.name : `${relative}/${child.name}`;
      const host = join(hostDir, rel);
      const path = posix.join(imageDir, rel);
      if (skip(rel, child.isDirectory())) continue;
      if (child.isSymbolicLink()) entries.push({ type: "symlink", path, target: await readlink(host) });
      else if (child.isDirectory()) {
        entries.push({ type: "directory", path });
        await walk(rel);
      } else if (child.isFile()) entries.push({ type: "file", path, source: host, mode: ((await lstat(host)).mode & 0o111) !== 0 ? 0o755 : 0o644 });
    }
  };
  await walk("");
  return entries;
}
