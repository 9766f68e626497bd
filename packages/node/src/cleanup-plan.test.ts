import { describe, expect, it } from "vitest";
import { mountsUnder } from "./cleanup-plan.ts";

describe("mountsUnder", () => {
  const procMounts = [
    "/dev/vda / ext4 rw 0 0",
    "tmpfs /tmp/seedbed-node-a/kubelet/root tmpfs rw 0 0",
    "shm /tmp/seedbed-node-a/containerd/state/io.containerd.grpc.v1.cri/sandboxes/x/shm tmpfs rw 0 0",
    "tmpfs /tmp/seedbed-node-a/kubelet/root/pods/u/volumes/kubernetes.io~projected/kube-api-access-1 tmpfs rw 0 0",
    "tmpfs /tmp/seedbed-node-ab/kubelet tmpfs rw 0 0",
    "tmpfs /tmp/seedbed-node-a/with\\040space tmpfs rw 0 0",
  ].join("\n");

  it.each([
    ["/tmp/seedbed-node-a", ["/tmp/seedbed-node-a/with space", "/tmp/seedbed-node-a/kubelet/root/pods/u/volumes/kubernetes.io~projected/kube-api-access-1", "/tmp/seedbed-node-a/containerd/state/io.containerd.grpc.v1.cri/sandboxes/x/shm", "/tmp/seedbed-node-a/kubelet/root"]],
    ["/tmp/seedbed-node-a/", ["/tmp/seedbed-node-a/with space", "/tmp/seedbed-node-a/kubelet/root/pods/u/volumes/kubernetes.io~projected/kube-api-access-1", "/tmp/seedbed-node-a/containerd/state/io.containerd.grpc.v1.cri/sandboxes/x/shm", "/tmp/seedbed-node-a/kubelet/root"]],
    ["/tmp/seedbed-node-ab", ["/tmp/seedbed-node-ab/kubelet"]],
    ["/tmp/other", []],
  ])("under %s finds the mounts last-mounted first, not a sibling's", (dir, expected) => {
    expect(mountsUnder(procMounts, dir)).toEqual(expected);
  });
});
