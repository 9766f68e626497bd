export { startKubeAPI, type KubeAPI, type KubeAPIOptions } from "./kube-api.ts";
