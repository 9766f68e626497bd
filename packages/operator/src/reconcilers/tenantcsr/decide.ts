import { isIP } from "node:net";
import type { V1CertificateSigningRequest, V1Node } from "@kubernetes/client-node";
import { parseCertificateRequest, type RequestedIdentity } from "@seedbed/pki";

/** The signer of kubelet serving certificates; kube-controller-manager signs what is approved for it with the cluster CA. */
export const kubeletServingSigner = "kubernetes.io/kubelet-serving";

/** Why a serving CSR was approved or denied: the reason of its Approved or Denied condition. */
export const csrReasons = {
  /** The node asked for a certificate for its own name and addresses. */
  approved: "SeedbedNodeServingCertificate",
  /** The requester is not a node (system:node:<name> in system:nodes). */
  notANode: "RequesterNotANode",
  /** The subject is not the requesting node's (CN system:node:<name>, O system:nodes). */
  subjectMismatch: "SubjectNotOfRequester",
  /** The usages are not those of a TLS server (server auth, digital signature, key encipherment). */
  usages: "UsagesNotServing",
  /** The request does not parse, names nothing, or names e-mail addresses or URIs. */
  malformed: "MalformedRequest",
  /** A DNS name or IP address is not among the node's own. */
  foreignName: "NameNotOfNode",
  /** No Node of that name registered within the grace period. */
  nodeNotFound: "NodeNotFound",
} as const;

/** What to do with a pending serving CSR. */
export type ServingCSRDecision =
  | { readonly verdict: "approve" | "deny"; readonly reason: string; readonly message: string }
  /** Not decidable yet (its Node has not registered): look again after `retryAfterMs`. */
  | { readonly verdict: "wait"; readonly message: string; readonly retryAfterMs: number };

/** How long a serving CSR waits for its Node to register before it is denied. */
export const nodeRegistrationGraceMs = 10 * 60_000;
const retryAfterMs = 5_000;

const nodePrefix = "system:node:";
const servingUsages = new Set(["server auth", "digital signature", "key encipherment"]);

/** A kubelet serving CSR nobody has approved, denied or failed yet: the only kind this approver decides. */
export function isPendingServingCSR(csr: V1CertificateSigningRequest): boolean {
  return csr.spec.signerName === kubeletServingSigner && (csr.status?.conditions ?? []).every((c) => !["Approved", "Denied", "Failed"].includes(c.type));
}

/** The node a CSR's requester claims to be, from its user name; undefined for any other requester. */
export function requestingNode(csr: V1CertificateSigningRequest): string | undefined {
  const user = csr.spec.username ?? "";
  return user.startsWith(nodePrefix) && user.length > nodePrefix.length ? user.slice(nodePrefix.length) : undefined;
}

/**
 * Decides a kubelet serving CSR. Approved only when the requester is the
 * node system:node:<name> in group system:nodes, the subject is exactly
 * that node, the usages are a TLS server's, and every DNS name and IP
 * address is the node's name or one of the addresses its Node reports.
 * The Node's addresses are the trusted record: the API server connects to
 * the kubelet at them (kubelet-preferred-address-types), and with
 * NodeRestriction only that node itself can set them. Anything else is
 * denied with a reason; a Node not registered yet is waited for a while.
 */
export function decideServingCSR(csr: V1CertificateSigningRequest, node: V1Node | undefined, now: Date): ServingCSRDecision {
  const name = requestingNode(csr);
  if (name === undefined || !(csr.spec.groups ?? []).includes("system:nodes")) {
    return deny(csrReasons.notANode, `requested by ${csr.spec.username ?? "nobody"}, not by a node (system:node:<name> in group system:nodes)`);
  }
  const identity = requestedIdentity(csr, name);
  if ("verdict" in identity) return identity;
  if (node === undefined) {
    const created = csr.metadata?.creationTimestamp === undefined ? now : new Date(csr.metadata.creationTimestamp);
    if (now.getTime() - created.getTime() < nodeRegistrationGraceMs) return { verdict: "wait", message: `node ${name} has not registered yet`, retryAfterMs };
    return deny(csrReasons.nodeNotFound, `no Node ${name} registered within ${nodeRegistrationGraceMs / 60_000} minutes of the request`);
  }
  const addresses = node.status?.addresses ?? [];
  const dnsOfNode = new Set([name, ...addresses.filter((a) => ["Hostname", "InternalDNS", "ExternalDNS"].includes(a.type)).map((a) => a.address.toLowerCase())]);
  const ipsOfNode = new Set(addresses.filter((a) => ["InternalIP", "ExternalIP"].includes(a.type) && isIP(a.address) !== 0).map((a) => canonicalIP(a.address)));
  const foreign = [...identity.dnsNames.filter((d) => !dnsOfNode.has(d.toLowerCase())), ...identity.ipAddresses.filter((ip) => !ipsOfNode.has(ip))];
  if (foreign.length > 0) {
    return deny(csrReasons.foreignName, `${foreign.join(", ")} ${foreign.length === 1 ? "is" : "are"} not among node ${name}'s name and addresses (${[...dnsOfNode, ...ipsOfNode].join(", ")})`);
  }
  return { verdict: "approve", reason: csrReasons.approved, message: `node ${name} asked for a serving certificate for its own name and addresses` };
}

function deny(reason: string, message: string): ServingCSRDecision {
  return { verdict: "deny", reason, message };
}

/** What the request asks for, when it is a well-formed serving request of node `name`; a denial otherwise. */
function requestedIdentity(csr: V1CertificateSigningRequest, name: string): RequestedIdentity | ServingCSRDecision {
  let identity: RequestedIdentity;
  try {
    identity = parseCertificateRequest(Buffer.from(csr.spec.request, "base64").toString("utf8"));
  } catch (error) {
    return deny(csrReasons.malformed, `spec.request is no PKCS#10 request: ${(error as Error).message}`);
  }
  const organizations = identity.organizations.join(",");
  if (identity.commonName !== `${nodePrefix}${name}` || organizations !== "system:nodes") {
    return deny(csrReasons.subjectMismatch, `the subject is CN=${identity.commonName ?? ""},O=${organizations}; node ${name} may ask only for CN=${nodePrefix}${name},O=system:nodes`);
  }
  const usages = csr.spec.usages ?? [];
  if (!usages.includes("server auth") || usages.some((u) => !servingUsages.has(u))) {
    return deny(csrReasons.usages, `usages ${usages.join(", ") || "(none)"}; a serving certificate has server auth and at most digital signature and key encipherment`);
  }
  if (identity.otherNames.length > 0) return deny(csrReasons.malformed, `names ${identity.otherNames.join(", ")}; a kubelet serving certificate carries DNS names and IP addresses only`);
  if (identity.dnsNames.length + identity.ipAddresses.length === 0) return deny(csrReasons.malformed, "names no DNS name or IP address");
  return identity;
}

function canonicalIP(address: string): string {
  return isIP(address) === 6 ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}
