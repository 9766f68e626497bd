export * from "./render/index.ts";
export { ensurePKIFiles } from "./local/pki-files.ts";
export { authorityCertificateFiles, loadAuthorities, loadPreviousAuthorities, pkiFileContents, pkiFileNames, pkiFiles, previousAuthorityFiles, requiredAuthorityFiles, type PKIFiles, type PKIRole } from "./pki-layout.ts";
export { firstServiceIP } from "./network.ts";
export { PlainLauncher, SupervisingLauncher, type Launcher, type SupervisingLauncherOptions } from "./local/launcher.ts";
export { probeTLS, startComponents, type StartComponentsOptions } from "./local/start-components.ts";
export { canBind, defaultPortLockDir, reservePorts, type PortReservation, type ReserveOptions } from "./local/ports.ts";
export { isProcessAlive, takeLockFile } from "./local/lock-file.ts";
export { ManagedProcess, type ExitStatus, type StartOptions } from "./local/process.ts";
export { findProcessesByMarker, isRunning, processMarkerVariable, readCommandLine, readStartTime } from "./local/proc.ts";
export { SupervisedComponent, type RestartBackoff, type SupervisedComponentOptions, type SupervisorEvent } from "./local/supervisor.ts";
export { componentLogs, logTail, probe, waitForReady, type ProbeTLS, type WaitForReadyOptions } from "./local/readiness.ts";
export {
  startStandaloneControlPlane,
  type StandaloneControlPlane,
  type StandaloneOptions,
  type StandalonePorts,
} from "./local/standalone.ts";
export { authenticationConfigFile, componentVersionsOf, type ComponentVersions, type CertificateNames, type EtcdAccess, type EtcdConnection, type EtcdRestoreRequest, type EtcdRestoreTarget, type TenantRestoreRequest, type TenantRestoreResult, type TenantRestoreTarget, type ComponentHealth, type ControlPlaneObservation, type EtcdMemberObservation, type DriverCapabilities, type ControlPlanePlan, type HostingDriver } from "./driver.ts";
export { LocalDriver, type LocalDriverOptions } from "./local/driver.ts";
export { type SharedDatastoreObservation, type SharedDatastoreSpec } from "./local/shared-datastore.ts";
export { ClusterPortAllocator } from "./local/driver-ports.ts";
export {
  Balancer,
  balancerComponentName,
  balancerProcessSpec,
  balancerScript,
  readRoute,
  removeRoute,
  setDraining,
  writeRoute,
  type BackendStatus,
  type BalancerLogger,
  type BalancerOptions,
  type Route,
  type RouteAddress,
  type RouteBackend,
  type RouteProbe,
  type RouteStatus,
} from "./local/balancer/index.ts";
export { KubernetesDriver, SeedUnreachableError, clusterSelector, type KubernetesDriverOptions } from "./seed/driver.ts";
export { renderSeedControlPlane, type SeedRenderOptions } from "./seed/render.ts";
export { defaultImageRegistry, isImageReference, parseImageOverrides, resolveSeedImages, seedImageComponents, type SeedImageComponent, type SeedImageOptions, type SeedImages } from "./seed/images.ts";
export { seedLabels, seedNamespace, seedServiceNames, type Manifest } from "./seed/names.ts";
export { componentHealth } from "./seed/observe.ts";
export { Etcdctl, EtcdctlError, type EtcdctlOptions } from "./etcd/etcdctl.ts";
export { freshName, planMembership, quorum, type MembershipInput, type MembershipStep, type VoterCount } from "./etcd/membership.ts";
export { initialClusterFor } from "./etcd/initial-cluster.ts";
export type { AddedLearner, EtcdAlarm, EtcdMember, EtcdStatus } from "./etcd/types.ts";
export * from "./etcd/shared/index.ts";
