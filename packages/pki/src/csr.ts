import { isIP } from "node:net";
import { x509 } from "./x509.ts";
import { generateKeyPair, signingAlgorithmFor, type KeyAlgorithm } from "./keys.ts";

/** What a certificate signing request asks for: its subject and its subject alternative names. */
export interface RequestedIdentity {
  readonly commonName: string | undefined;
  readonly organizations: readonly string[];
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** E-mail addresses and URIs: a kubelet asks for none. */
  readonly otherNames: readonly string[];
}

/**
 * Reads the subject and names of a PKCS#10 request (PEM, as in a
 * CertificateSigningRequest's spec.request once decoded). Throws on a
 * request that does not parse.
 */
export function parseCertificateRequest(pem: string): RequestedIdentity {
  const request = new x509.Pkcs10CertificateRequest(pem);
  const san = request.getExtension("2.5.29.17");
  const names = san instanceof x509.SubjectAlternativeNameExtension ? san.names.items : [];
  const ofType = (type: string): string[] => names.filter((n) => n.type === type).map((n) => n.value);
  return {
    commonName: request.subjectName.getField("CN")[0],
    organizations: request.subjectName.getField("O"),
    dnsNames: ofType("dns"),
    ipAddresses: ofType("ip").map(canonicalIP),
    otherNames: names.filter((n) => n.type !== "dns" && n.type !== "ip").map((n) => `${n.type}:${n.value}`),
  };
}

/** A request and the private key it was made with, both PEM. */
export interface CertificateRequestPem {
  readonly requestPem: string;
  readonly privateKeyPem: string;
}

/** Makes a PKCS#10 request with a fresh key, as a kubelet does (tests, and any client that asks the cluster's signer). */
export async function createCertificateRequest(options: { commonName: string; organizations?: readonly string[]; altNames?: readonly string[]; keyAlgorithm?: KeyAlgorithm }): Promise<CertificateRequestPem> {
  const keyAlgorithm = options.keyAlgorithm ?? "ecdsa-p256";
  const keyPair = await generateKeyPair(keyAlgorithm);
  const altNames = options.altNames ?? [];
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name([...(options.organizations ?? []).map((o) => ({ O: [o] })), { CN: [options.commonName] }]).toString(),
    keys: keyPair.keys,
    signingAlgorithm: signingAlgorithmFor(keyAlgorithm),
    extensions: altNames.length === 0 ? [] : [new x509.SubjectAlternativeNameExtension(altNames.map((name) => ({ type: isIP(name) ? "ip" : "dns", value: name })))],
  });
  return { requestPem: request.toString("pem"), privateKeyPem: keyPair.privateKeyPem };
}

/** One spelling per address, so an IPv6 address compares equal however it is written. */
function canonicalIP(address: string): string {
  if (isIP(address) !== 6) return address;
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}
