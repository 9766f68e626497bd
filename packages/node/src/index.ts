export { startRealNode, type RealNode, type RealNodeOptions } from "./real-node.ts";
export { localImage, localRegistry, pauseImageName } from "./local-images.ts";
export { processesMentioning, type FoundProcess } from "./processes.ts";
export type { ClusterCA } from "./node-pki.ts";
export type { PodNetwork } from "./cni-config.ts";
export { machineAddress } from "./machine-address.ts";
export type { NodeNamespace } from "./netns.ts";
export { startRealSeed, seedNetwork, type RealSeed, type RealSeedOptions } from "./seed/real-seed.ts";
export { startLocalVolumeProvisioner, type LocalVolumeProvisioner, type LocalVolumeProvisionerOptions } from "./storage/provisioner.ts";
