export { startKubeAPI, type KubeAPI, type KubeAPIOptions } from "./kube-api.ts";
export { processesMentioning, type FoundProcess } from "./processes.ts";
export { run, type RunResult } from "./run.ts";
export { eventually, type EventuallyOptions } from "./eventually.ts";
export { startRealNode, type RealNode, type RealNodeOptions } from "./node/real-node.ts";
export { harnessImage, harnessRegistry, pauseImageName } from "./node/images.ts";
export type { ClusterCA } from "./node/node-pki.ts";
export type { PodNetwork } from "./node/cni-config.ts";
