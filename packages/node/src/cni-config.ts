import type { NodeLayout } from "./layout.ts";

/** A node's pod network: one bridge on this machine with its own subnet. */
export interface PodNetwork {
  /** The CNI network name; also in the comments of the NAT rules the bridge plugin adds. */
  readonly name: string;
  /** The Linux bridge (at most 15 characters). */
  readonly bridge: string;
  /** e.g. 10.242.3.0/24; the bridge takes its first address as the pods' gateway. */
  readonly subnet: string;
}

/**
 * Renders the CNI network list containerd reads: the bridge plugin with
 * host-local addresses (kept in the node's directory) and portmap for
 * hostPort. containerd adds the loopback interface itself.
 */
export function renderCNIConfig(network: PodNetwork, layout: NodeLayout): string {
  return renderNetworkList(network, layout, JSON.stringify([[{ subnet: network.subnet }]]));
}

/**
 * The same network list as a template for containerd's CRI (`conf_template`):
 * containerd renders it into the configuration directory once the kubelet
 * tells it the Node's pod range (spec.podCIDR, allocated by the cluster's
 * controller-manager from network.podCIDR). A machine that joins a cluster
 * learns its pod range only then.
 */
export function renderCNIConfigTemplate(network: Omit<PodNetwork, "subnet">, layout: NodeLayout): string {
  return renderNetworkList(network, layout, `[{{range $i, $range := .PodCIDRRanges}}{{if $i}}, {{end}}[{"subnet": "{{$range}}"}]{{end}}]`);
}

/** The file containerd renders the template into. */
export const renderedCNIConfigName = "10-containerd-net.conflist";

/** The pod ranges of a network list containerd rendered (or we wrote). */
export function podRangesOf(conflist: string): string[] {
  const parsed = JSON.parse(conflist) as { plugins?: { ipam?: { ranges?: { subnet?: string }[][] } }[] };
  return (parsed.plugins?.[0]?.ipam?.ranges ?? []).flat().flatMap((r) => (r.subnet === undefined ? [] : [r.subnet]));
}

const rangesPlaceholder = "@@ranges@@";

function renderNetworkList(network: Omit<PodNetwork, "subnet">, layout: NodeLayout, ranges: string): string {
  if (network.bridge.length > 15) throw new Error(`bridge "${network.bridge}": Linux interface names have at most 15 characters`);
  const list = JSON.stringify(
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
            ranges: rangesPlaceholder,
            routes: [{ dst: "0.0.0.0/0" }],
            dataDir: layout.cni.ipamDir,
          },
        },
        { type: "portmap", capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
  return `${list.replace(JSON.stringify(rangesPlaceholder), ranges)}\n`;
}
