/**
 * Pure parts of tearing a node down: what to unmount and which iptables
 * rules and chains to delete, computed from what the machine shows. Kept
 * apart from the effects so that tables of inputs test them.
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

/** Chains the CNI portmap plugin shares between every network: never a node's alone to delete. */
const sharedChains = /^CNI-HOSTPORT-/;

/**
 * An iptables-restore --noflush script that deletes every rule the CNI
 * plugins added for `network` (their comments name it), the per-pod chains
 * those rules lead to, and any rule jumping into those chains. Empty when
 * nothing of the network is left. `save` is iptables-save output.
 */
export function iptablesCleanup(save: string, network: string): string {
  const mentions = (rule: string): boolean => rule.includes(`name: \\"${network}\\"`) || rule.includes(`name: "${network}"`);
  const script: string[] = [];
  for (const table of parseTables(save)) {
    const ours = table.rules.filter(mentions);
    const doomed = new Set<string>();
    for (const rule of ours) {
      const target = jumpTarget(rule);
      if (target !== undefined && table.chains.has(target) && !sharedChains.test(target)) doomed.add(target);
    }
    // A chain holding only our rules goes too (a pod chain whose jump is gone already).
    for (const chain of table.chains) {
      const rules = table.rules.filter((r) => chainOf(r) === chain);
      if (rules.length > 0 && rules.every(mentions) && !sharedChains.test(chain)) doomed.add(chain);
    }
    const deletions = table.rules.filter((r) => !doomed.has(chainOf(r)) && (mentions(r) || doomed.has(jumpTarget(r) ?? "")));
    if (deletions.length === 0 && doomed.size === 0) continue;
    script.push(`*${table.name}`);
    for (const rule of deletions) script.push(`-D ${rule.slice("-A ".length)}`);
    for (const chain of [...doomed].sort()) script.push(`-F ${chain}`);
    for (const chain of [...doomed].sort()) script.push(`-X ${chain}`);
    script.push("COMMIT");
  }
  return script.length === 0 ? "" : `${script.join("\n")}\n`;
}

interface Table {
  readonly name: string;
  /** User-defined chains (built-in chains have a policy other than "-"). */
  readonly chains: Set<string>;
  /** "-A CHAIN …" lines as iptables-save prints them. */
  readonly rules: string[];
}

function parseTables(save: string): Table[] {
  const tables: Table[] = [];
  let current: Table | undefined;
  for (const line of save.split("\n")) {
    if (line.startsWith("*")) {
      current = { name: line.slice(1).trim(), chains: new Set(), rules: [] };
      tables.push(current);
    } else if (current && line.startsWith(":")) {
      const [chain, policy] = line.slice(1).split(" ");
      if (chain !== undefined && policy === "-") current.chains.add(chain);
    } else if (current && line.startsWith("-A ")) {
      current.rules.push(line.trimEnd());
    }
  }
  return tables;
}

function chainOf(rule: string): string {
  return rule.split(" ")[1] ?? "";
}

function jumpTarget(rule: string): string | undefined {
  return / -[jg] (\S+)/.exec(rule)?.[1];
}
