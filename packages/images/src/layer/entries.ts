/** Who owns an entry in the image; root unless said. */
interface Ownership {
  readonly uid?: number;
  readonly gid?: number;
}

/** A regular file whose bytes are given. */
export interface InlineFile extends Ownership {
  readonly type: "file";
  /** Path inside the image, absolute or relative to its root. */
  readonly path: string;
  /** Permission bits (0644 unless said). */
  readonly mode?: number;
  readonly content: string | Uint8Array;
}

/** A regular file copied from this machine when the layer is written. */
export interface HostFile extends Ownership {
  readonly type: "file";
  readonly path: string;
  readonly mode?: number;
  /** Path on this machine; symbolic links are followed. */
  readonly source: string;
}

/** A directory (0755 unless said). Parents of every entry are added as 0755 root directories when not listed. */
export interface DirectoryEntry extends Ownership {
  readonly type: "directory";
  readonly path: string;
  readonly mode?: number;
}

/** A symbolic link; the target is written as given (relative or absolute inside the image). */
export interface SymlinkEntry extends Ownership {
  readonly type: "symlink";
  readonly path: string;
  readonly target: string;
}

/** One entry of a layer's file system. */
export type LayerEntry = InlineFile | HostFile | DirectoryEntry | SymlinkEntry;

/** An entry with its path normalised (relative, no trailing slash) and every default filled in. */
export type PlannedEntry =
  | { readonly type: "file"; readonly path: string; readonly mode: number; readonly uid: number; readonly gid: number; readonly content: Uint8Array }
  | { readonly type: "file"; readonly path: string; readonly mode: number; readonly uid: number; readonly gid: number; readonly source: string }
  | { readonly type: "directory"; readonly path: string; readonly mode: number; readonly uid: number; readonly gid: number }
  | { readonly type: "symlink"; readonly path: string; readonly mode: number; readonly uid: number; readonly gid: number; readonly target: string };

const defaultMode = { file: 0o644, directory: 0o755, symlink: 0o777 } as const;

/**
 * Normalises, checks and orders a layer's entries: paths relative and
 * clean, ownership and modes filled in, missing parent directories added,
 * and everything sorted by path (bytewise), so that the same set of entries
 * always gives the same tar whatever order they were listed in. Throws,
 * naming the field, on a path that escapes the root, a bad mode or owner,
 * or two entries for one path.
 */
export function planLayer(entries: readonly LayerEntry[], field = "entries"): PlannedEntry[] {
  const byPath = new Map<string, PlannedEntry>();
  entries.forEach((entry, i) => {
    const planned = planEntry(entry, `${field}[${i}]`);
    if (byPath.has(planned.path)) throw new Error(`${field}[${i}].path: "${entry.path}" is listed twice in one layer; keep one entry per path`);
    byPath.set(planned.path, planned);
  });
  for (const path of [...byPath.keys()]) {
    for (let parent = parentOf(path); parent !== ""; parent = parentOf(parent)) {
      const existing = byPath.get(parent);
      if (existing === undefined) byPath.set(parent, { type: "directory", path: parent, mode: defaultMode.directory, uid: 0, gid: 0 });
      else if (existing.type !== "directory") throw new Error(`${field}: "${parent}" is a ${existing.type} but "${path}" is inside it; make "${parent}" a directory`);
    }
  }
  return [...byPath.values()].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

function planEntry(entry: LayerEntry, field: string): PlannedEntry {
  const path = normalisePath(entry.path, `${field}.path`);
  const uid = checkId(entry.uid ?? 0, `${field}.uid`);
  const gid = checkId(entry.gid ?? 0, `${field}.gid`);
  switch (entry.type) {
    case "directory":
      return { type: "directory", path, uid, gid, mode: checkMode(entry.mode ?? defaultMode.directory, `${field}.mode`) };
    case "symlink":
      if (entry.target === "") throw new Error(`${field}.target: a symbolic link needs a target, e.g. "../lib/x.so"`);
      return { type: "symlink", path, uid, gid, mode: defaultMode.symlink, target: entry.target };
    case "file": {
      const mode = checkMode(entry.mode ?? defaultMode.file, `${field}.mode`);
      if ("source" in entry) return { type: "file", path, uid, gid, mode, source: entry.source };
      const content = typeof entry.content === "string" ? Buffer.from(entry.content, "utf8") : entry.content;
      return { type: "file", path, uid, gid, mode, content };
    }
  }
}

function normalisePath(path: string, field: string): string {
  const relative = path.replace(/^\/+/, "").replace(/\/+$/, "");
  const parts = relative.split("/");
  if (relative === "" || parts.some((p) => p === "" || p === "." || p === "..")) {
    throw new Error(`${field}: "${path}" is not a clean path inside the image; write it like /usr/local/bin/etcd (no ".", ".." or "//", not the root)`);
  }
  return relative;
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}

function checkMode(mode: number, field: string): number {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new Error(`${field}: ${mode} is not a permission mode; write an octal number such as 0o755`);
  return mode;
}

function checkId(id: number, field: string): number {
  if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) throw new Error(`${field}: ${id} is not a user or group id; write a number such as 65532`);
  return id;
}
