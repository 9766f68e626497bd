/** An entry of package-lock.json's `packages` map, as far as choosing production files needs. */
export interface LockPackage {
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly optional?: boolean;
  readonly link?: boolean;
  /** For a link: the workspace folder it points at, relative to the repository. */
  readonly resolved?: string;
}

/** What the image's node_modules holds: installed package folders and workspace links. */
export interface ProductionDeps {
  /** Folders (relative to the repository) to copy, without their own nested node_modules. */
  readonly folders: readonly string[];
  /** Workspace links: `node_modules/@seedbed/cli` → `packages/cli`. */
  readonly links: readonly { readonly path: string; readonly target: string }[];
  /** Optional packages, which may be absent on this machine (another platform's). */
  readonly optional: ReadonlySet<string>;
}

/**
 * The installed packages a production run needs, from package-lock.json
 * (lockfileVersion 2 or 3): every `…node_modules/…` entry npm did not mark
 * `dev` — the same set `npm ci --omit=dev` installs — read from the lock
 * instead of installing again. Nested folders are listed on their own, so
 * a folder is copied without its node_modules.
 */
export function productionDeps(lock: { readonly packages?: Readonly<Record<string, LockPackage>> }): ProductionDeps {
  if (lock.packages === undefined) throw new Error('package-lock.json has no "packages" map; regenerate it with npm 7 or later (`npm install`)');
  const folders: string[] = [];
  const links: { path: string; target: string }[] = [];
  const optional = new Set<string>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!/(^|\/)node_modules\//.test(path) || entry.dev === true) continue;
    if (entry.link === true) {
      if (entry.resolved === undefined) throw new Error(`package-lock.json: the link ${path} has no "resolved"; regenerate the lock with \`npm install\``);
      links.push({ path, target: entry.resolved });
    } else {
      folders.push(path);
      if (entry.optional === true || entry.devOptional === true) optional.add(path);
    }
  }
  return { folders: folders.sort(), links: links.sort((a, b) => (a.path < b.path ? -1 : 1)), optional };
}
