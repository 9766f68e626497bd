import { isIP } from "node:net";
import { x509 } from "./x509.ts";
import type { CertificateAuthority } from "./authority.ts";
import { generateKeyPair, signingAlgorithmFor } from "./keys.ts";
import { validityWindow, type Validity } from "./validity.ts";

/** What a leaf certificate is for: TLS server, TLS client, or both (etcd peers). */
export type CertificateUsage = "server" | "client" | "server-and-client";

/** The identity and names of a leaf certificate. */
export interface CertificateRequest {
  readonly commonName: string;
  /** Kubernetes reads O= as the user's groups. */
  readonly organizations?: readonly string[];
  /** DNS names and IP addresses, told apart by their form. */
  readonly altNames?: readonly string[];
  readonly usage: CertificateUsage;
  /** Defaults to one year, as kubeadm does for leaf certificates. */
  readonly validity?: Validity;
  readonly now?: Date;
}

/** A signed leaf certificate with its own private key. */
export interface IssuedCertificate {
  readonly certificate: x509.X509Certificate;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

const oneYear: Validity = { days: 365 };

/** Generates a key pair and signs a certificate for it with the given CA. */
export async function issueCertificate(ca: CertificateAuthority, request: CertificateRequest): Promise<IssuedCertificate> {
  const keyPair = await generateKeyPair(ca.keyAlgorithm);
  const { notBefore, notAfter } = validityWindow(request.validity ?? oneYear, request.now, ca.certificate.notAfter);
  const subject = new x509.Name([
    ...(request.organizations ?? []).map((o) => ({ O: [o] })),
    { CN: [request.commonName] },
  ]);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(extendedKeyUsages(request.usage)),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keyPair.keys.publicKey),
  ];
  const altNames = request.altNames ?? [];
  if (altNames.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(altNames.map((name) => ({ type: isIP(name) ? "ip" : "dns", value: name }))),
    );
  }
  const certificate = await x509.X509CertificateGenerator.create({
    subject,
    issuer: ca.certificate.subject,
    publicKey: keyPair.keys.publicKey,
    signingKey: ca.keyPair.keys.privateKey,
    signingAlgorithm: signingAlgorithmFor(ca.keyAlgorithm),
    notBefore,
    notAfter,
    extensions,
  });
  return { certificate, certificatePem: certificate.toString("pem"), privateKeyPem: keyPair.privateKeyPem };
}

function extendedKeyUsages(usage: CertificateUsage): x509.ExtendedKeyUsage[] {
  switch (usage) {
    case "server":
      return [x509.ExtendedKeyUsage.serverAuth];
    case "client":
      return [x509.ExtendedKeyUsage.clientAuth];
    case "server-and-client":
      return [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
  }
}
