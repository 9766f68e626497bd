// The processes of the tenant control planes a platform runs, found the way
// the local driver finds them again: by the SEEDBED_PROCESS marker in their
// environment, `seedbed:<home>/clusters/<cluster id>/<component>`.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { processMarkerVariable, readCommandLine } from "@seedbed/controlplane";

/** One process of a tenant control plane. */
export interface TenantProcess {
  readonly tenant: string;
  readonly component: string;
  readonly pid: number;
}

/** Every tenant process under a platform's state directory, grouped by cluster id. */
export function tenantProcesses(home: string): Map<string, TenantProcess[]> {
  const prefix = `${processMarkerVariable}=seedbed:${join(home, "clusters")}/`;
  const byTenant = new Map<string, TenantProcess[]>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 1) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, "utf8");
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    const marker = environ.split("\0").find((variable) => variable.startsWith(prefix));
    if (marker === undefined) continue;
    const [tenant = "", component = ""] = marker.slice(prefix.length).split("/");
    byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), { tenant, component, pid }]);
  }
  return byTenant;
}

/** A command line as flag → value (flags without a value map to ""). */
export function flagMap(args: readonly string[]): Map<string, string> {
  return new Map(
    args
      .filter((arg) => arg.startsWith("--"))
      .map((arg): [string, string] => {
        const eq = arg.indexOf("=");
        return eq < 0 ? [arg.slice(2), ""] : [arg.slice(2, eq), arg.slice(eq + 1)];
      }),
  );
}

/**
 * Where two command lines of the same component differ, ignoring values
 * that name this instance's files or ports (paths and loopback URLs).
 */
export function flagDifferences(component: string, running: readonly string[], rendered: readonly string[]): string[] {
  const a = flagMap(running);
  const b = flagMap(rendered);
  const instanceSpecific = (value: string): boolean => value.includes("/") || value.includes("127.0.0.1:") || /^\d+$/.test(value);
  const differences: string[] = [];
  for (const flag of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(flag);
    const y = b.get(flag);
    if (x === undefined || y === undefined) differences.push(`${component} --${flag} only in the ${x === undefined ? "floor" : "platform's process"}`);
    else if (x !== y && !(instanceSpecific(x) && instanceSpecific(y))) differences.push(`${component} --${flag}: platform ${x}, floor ${y}`);
  }
  return differences;
}

/** The command line of a running process (empty when it is gone). */
export function commandLineOf(pid: number): string[] {
  return readCommandLine(pid) ?? [];
}
