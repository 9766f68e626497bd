/**
 * Pure parts of tearing a node down: what to unmount, computed from what
 * the machine shows. (A node's iptables rules and interfaces live in its
 * network namespace and go with it.) Kept apart from the effects so that
 * tables of inputs test them.
 */

/**
 * Mount points at or under `dir` in /proc/mounts text, deepest (last
 * mounted) first: the order in which they can be unmounted.
 */
export function mountsUnder(procMounts: string, dir: string): string[] {
  const root = dir.replace(/\/+$/, "");
  const found: string[] = [];
  for (const line of procMounts.split("\n")) {
    const field = line.split(" ")[1];
    if (field === undefined) continue;
    // /proc/mounts writes space, tab, newline and backslash as octal escapes.
    const path = field.replace(/\\([0-7]{3})/g, (_, code: string) => String.fromCharCode(Number.parseInt(code, 8)));
    if (path === root || path.startsWith(`${root}/`)) found.push(path);
  }
  // Later mounts may sit on top of earlier ones: undo them in reverse.
  return found.reverse();
}
