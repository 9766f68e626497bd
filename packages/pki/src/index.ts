export { createCertificateAuthority, loadCertificateAuthority, type CertificateAuthority, type CertificateAuthorityOptions } from "./authority.ts";
export { issueCertificate, type CertificateRequest, type CertificateUsage, type IssuedCertificate } from "./certificate.ts";
export { generateKeyPair, importKeyPair, type KeyAlgorithm, type KeyPair } from "./keys.ts";
export { buildExecKubeconfig, buildKubeconfig, type ExecKubeconfigOptions, type ExecPlugin, type KubeconfigOptions } from "./kubeconfig.ts";
export { clockSkewMs, validityOf, validityWindow, type Validity } from "./validity.ts";
export { createClusterAuthorities, createClusterPKI, createFrontProxyCA, frontProxyClientName, issueClusterLeaves, kubeletClientName, type ClusterAuthorities, type ClusterPKI, type ClusterPKIOptions, type RotationSigners } from "./cluster-pki.ts";
export { earliestExpiry } from "./expiry.ts";
export { createCertificateRequest, parseCertificateRequest, type CertificateRequestPem, type RequestedIdentity } from "./csr.ts";
