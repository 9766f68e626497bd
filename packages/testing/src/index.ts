export { startKubeAPI, type KubeAPI, type KubeAPIOptions } from "./kube-api.ts";
export { processesMentioning, type FoundProcess } from "./processes.ts";
export { eventually, type EventuallyOptions } from "./eventually.ts";
