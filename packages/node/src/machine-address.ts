import { execFileSync } from "node:child_process";
import { networkInterfaces } from "node:os";

/**
 * An IPv4 address of this machine that the nodes' network namespaces reach
 * (their default route is the machine): the address of the interface the
 * default route leaves through, else the first address outside loopback
 * and the nodes' own links. The API servers real nodes join listen there.
 */
export function machineAddress(): string {
  const routes = execFileSync("ip", ["-4", "route", "show", "default"], { encoding: "utf8" });
  const device = /\bdev (\S+)/.exec(routes)?.[1];
  const interfaces = networkInterfaces();
  const ipv4 = (name: string): string | undefined => interfaces[name]?.find((a) => a.family === "IPv4" && !a.internal)?.address;
  const viaDefault = device === undefined ? undefined : ipv4(device);
  if (viaDefault !== undefined) return viaDefault;
  const other = Object.keys(interfaces)
    .filter((name) => !/^(lo|sbh-|sbr-|veth|cni)/.test(name))
    .map(ipv4)
    .find((address) => address !== undefined);
  if (other === undefined) throw new Error("this machine has no IPv4 address outside loopback for real nodes to reach its API servers; give one interface an address (e.g. a dummy interface: ip link add seedbed0 type dummy && ip addr add 10.242.0.1/32 dev seedbed0 && ip link set seedbed0 up)");
  return other;
}
