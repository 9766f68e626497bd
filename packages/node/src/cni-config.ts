import type { NodeLayout } from "./layout.ts";

/** A node's pod network: one bridge on this machine with its own subnet. */
export interface PodNetwork {
  /** The CNI network name; also in the comments of the NAT rules the bridge plugin adds. */
  readonly name: string;
  /** The Linux bridge (at most 15 characters). */
  readonly bridge: string;
  /** e.g. 10.244.3.0/24; the bridge takes its first address as the pods' gateway. */
  readonly subnet: string;
}

/**
 * Renders the CNI network list containerd reads: the bridge plugin with
 * host-local addresses (kept in the node's directory) and portmap for
 * hostPort. containerd adds the loopback interface itself.
 */
export function renderCNIConfig(network: PodNetwork, layout: NodeLayout): string {
  if (network.bridge.length > 15) throw new Error(`bridge "${network.bridge}": Linux interface names have at most 15 characters`);
  return `${JSON.stringify(
    {
      cniVersion: "1.0.0",
      name: network.name,
      plugins: [
        {
          type: "bridge",
          bridge: network.bridge,
          isGateway: true,
          // No masquerading: every address a pod talks to (other nodes'
          // pods, the machine, the API servers on it) routes back to the
          // pod subnet, so pods keep their own source address — which
          // NetworkPolicies on another node select them by. (The bridge
          // plugin's ipMasq would rewrite all but its own subnet.)
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: network.subnet }]],
            routes: [{ dst: "0.0.0.0/0" }],
            dataDir: layout.cni.ipamDir,
          },
        },
        { type: "portmap", capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}
