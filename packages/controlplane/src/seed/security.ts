/**
 * The one non-root identity every control-plane pod runs as: the
 * distroless images' "nonroot" user. A number, not a name, so the kubelet
 * can check runAsNonRoot without trusting the image's USER.
 */
export const seedUser = 65532;

/**
 * Pod-level security of every control-plane pod. `fsGroup` makes the
 * kubelet give the pod's volumes to group 65532: the Secret files (mode
 * 0440, see secretMode) become readable to the container's user, and etcd's
 * volume writable (OnRootMismatch: the ownership is walked only when the
 * volume's root is not already right, not on every start of a large data
 * directory). Volumes whose plugin ignores fsGroup (hostPath) must be
 * writable by uid 65532 themselves (local-path-provisioner makes them 0777).
 */
export const podSecurity = {
  runAsNonRoot: true,
  runAsUser: seedUser,
  runAsGroup: seedUser,
  fsGroup: seedUser,
  fsGroupChangePolicy: "OnRootMismatch",
  seccompProfile: { type: "RuntimeDefault" },
} as const;

/** Container-level security: the restricted Pod Security Standard, and a read-only root file system (writes go to emptyDir volumes). */
export const containerSecurity = {
  runAsNonRoot: true,
  runAsUser: seedUser,
  runAsGroup: seedUser,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
} as const;

/**
 * Mode of the files of Secret volumes: owner and group may read, nobody
 * else. The owner is root; the group is the pod's fsGroup, the container's
 * user's group. 0400 would leave them unreadable to uid 65532.
 */
export const secretMode = 0o440;
