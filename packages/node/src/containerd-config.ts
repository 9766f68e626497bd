import type { NodeLayout } from "./layout.ts";

/** What a node's containerd is told besides its paths. */
export interface ContainerdConfigInput {
  readonly layout: NodeLayout;
  /** The pod sandbox image, imported beforehand: no registry is asked for it. */
  readonly sandboxImage: string;
  /** Where the CNI plugin binaries are (Debian's containernetworking-plugins: /usr/lib/cni). */
  readonly cniBinDir: string;
  /** A CNI configuration template containerd renders with the Node's pod range (cni-config.ts), instead of a fixed network list. */
  readonly cniConfigTemplate?: string;
}

/** Plugins that would touch paths outside the node's directory or that a node never uses. */
const disabledPlugins = [
  // /opt/containerd: the opt plugin creates it at start.
  "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
];

/**
 * Renders containerd's config.toml (version 2, containerd 1.6+): root, state
 * and sockets under the node's directory, so several containerds run side by
 * side, each owned by one node.
 */
export function renderContainerdConfig(input: ContainerdConfigInput): string {
  const { containerd, cni } = input.layout;
  const cri = `plugins."io.containerd.grpc.v1.cri"`;
  return `version = 2
root = ${q(containerd.root)}
state = ${q(containerd.state)}
disabled_plugins = [${disabledPlugins.map(q).join(", ")}]

[grpc]
  address = ${q(containerd.socket)}

[ttrpc]
  address = ${q(`${containerd.socket}.ttrpc`)}

[${cri}]
  sandbox_image = ${q(input.sandboxImage)}
  # Without CAP_SYS_RESOURCE (a machine that is itself a container) runc
  # cannot lower oom_score_adj; the sandbox then fails with "can't get final
  # child's PID from pipe: EOF". Keep scores at or above containerd's own.
  restrict_oom_score_adj = true
  # Pod network namespaces under the state directory, not /var/run/netns.
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

  [${cri}.cni]
    bin_dir = ${q(input.cniBinDir)}
    conf_dir = ${q(cni.confDir)}
    max_conf_num = 1${input.cniConfigTemplate === undefined ? "" : `\n    conf_template = ${q(input.cniConfigTemplate)}`}

  [${cri}.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [${cri}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [${cri}.containerd.runtimes.runc.options]
        # crun 1.8 refuses hybrid cgroups; runc works. cgroupfs, like the kubelet.
        SystemdCgroup = false
        Root = ${q(containerd.runcRoot)}
`;
}

/** A TOML basic string. */
function q(value: string): string {
  return JSON.stringify(value);
}
