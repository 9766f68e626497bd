export { startKubeAPI, type KubeAPI, type KubeAPIOptions } from "./kube-api.ts";
export { run, type RunResult } from "./run.ts";
export { eventually, type EventuallyOptions } from "./eventually.ts";
// Real nodes are part of the product (@seedbed/node); tests get them here too.
export { startRealNode, processesMentioning, pauseImageName, toolboxImage, toolboxImageName, localImage as harnessImage, localRegistry as harnessRegistry, type FoundProcess, type RealNode, type RealNodeOptions, type ClusterCA, type PodNetwork } from "@seedbed/node";
export { repeat, tokenLoop, type LoopFailure, type Stoppable, type TokenLoopResult } from "./token-loop.ts";
