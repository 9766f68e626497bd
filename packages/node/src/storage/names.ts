// The vocabulary of the seedbed-local volume provisioner: names other
// components (the scheduler, the PV controller, kubectl) read or write.

/** The provisioner name in the StorageClass and in every PV it makes. */
export const provisionerName = "seedbed.dev/local-volume";

/** The StorageClass name used when the caller names none. */
export const defaultStorageClassName = "seedbed-local";

/** Set by the scheduler on a WaitForFirstConsumer claim: the node its first pod goes to. */
export const selectedNodeAnnotation = "volume.kubernetes.io/selected-node";

/**
 * Set by the PV controller (kube-controller-manager) on a claim it hands to
 * an external provisioner; for WaitForFirstConsumer only once a node is
 * selected. The beta name is still written beside it and read as a fallback,
 * as external-provisioner does.
 */
export const storageProvisionerAnnotation = "volume.kubernetes.io/storage-provisioner";
/** The deprecated spelling of storageProvisionerAnnotation. */
export const betaStorageProvisionerAnnotation = "volume.beta.kubernetes.io/storage-provisioner";

/** On every PV we make: who made it, so only we delete it (and kubectl shows it). */
export const provisionedByAnnotation = "pv.kubernetes.io/provisioned-by";

/** Marks the cluster's default StorageClass (used by claims that name none). */
export const defaultClassAnnotation = "storageclass.kubernetes.io/is-default-class";

/**
 * On every PV we make: a PV deleted by hand (kubectl delete pv) waits until
 * its directory is gone, so no directory outlives its PV.
 */
export const directoryFinalizer = "seedbed.dev/local-volume-directory";

/** The node label our PVs' node affinity names (the kubelet sets it from its host name). */
export const hostnameLabel = "kubernetes.io/hostname";

/** The reclaim policy of the class, and so of every PV made for it. */
export const reclaimPolicy = "Delete";
