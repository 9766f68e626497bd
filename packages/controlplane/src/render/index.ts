export { renderEtcd, type EtcdMembership, type EtcdRenderInput } from "./etcd.ts";
export { renderKubeAPIServer, serviceAccountIssuer, type KubeAPIServerRenderInput } from "./kube-apiserver.ts";
export { renderKubeControllerManager, type KubeControllerManagerRenderInput } from "./kube-controller-manager.ts";
export { renderKubeScheduler, type KubeSchedulerRenderInput } from "./kube-scheduler.ts";
export { kwokNodeAnnotation, renderKwok, type KwokRenderInput } from "./kwok.ts";
export { flags, type ProcessSpec } from "./process-spec.ts";
export { kwokStages } from "./kwok-stages.ts";
export { renderControlPlane, type ControlPlaneLayout, type ControlPlanePorts, type ControlPlaneRenderInput, type HealthCheck, type RenderedComponent } from "./control-plane.ts";
export { renderAuthenticationConfiguration, type AuthenticationConfigurationInput, type JWTIssuerConfig } from "./authentication-config.ts";
