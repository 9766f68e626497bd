export { machineLabels, type Machine, type MachineProvider, type MachineRequest, type MachineTemplate, type PoolRef } from "./provider.ts";
export { bootstrapTokenSecret, newBootstrapToken, poolBootstrapGroup, seedbedBootstrapGroup, tokenString, type BootstrapToken } from "./bootstrap/token.ts";
export { bootstrapKubeconfig, kubeletConfiguration, kubeProxyConfiguration, nodeLabels, type KubeletInput } from "./bootstrap/kubelet.ts";
export { cloudInitUserData, machinePaths, type CloudInitInput } from "./bootstrap/cloud-init.ts";
export { KwokProvider, kwokManagedAnnotation } from "./kwok/provider.ts";
