export { bundleCertificates, bundleFingerprints, certificateFingerprint, kubeconfigTrust, unknownClientCA, type KubeconfigTrust } from "./fingerprint.ts";
export {
  currentClusterCA,
  kubeconfigKinds,
  ledgerClusterLabel,
  ledgerDataChange,
  ledgerKey,
  maxLedgerRecords,
  newLedgerConfigMap,
  outstandingKubeconfigs,
  parseLedger,
  parseRecord,
  sameFingerprint,
  trustsCA,
  type KubeconfigChannel,
  type KubeconfigKind,
  type KubeconfigRecord,
  type LedgerConfigMap,
} from "./kubeconfig-ledger.ts";
export { withCertificateAuthority } from "./kubeconfig-ca.ts";
export { readKubeconfigLedger, recordKubeconfig, requestLedgerClient, type KubeconfigHandout, type LedgerClient, type LedgerRequester } from "./store.ts";
