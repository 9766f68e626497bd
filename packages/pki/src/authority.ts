import { x509 } from "./x509.ts";
import { generateKeyPair, importKeyPair, signingAlgorithmFor, type KeyAlgorithm, type KeyPair } from "./keys.ts";
import { validityWindow, type Validity } from "./validity.ts";

/** A certificate authority able to sign leaf certificates. */
export interface CertificateAuthority {
  readonly certificate: x509.X509Certificate;
  readonly certificatePem: string;
  readonly keyPair: KeyPair;
  readonly keyAlgorithm: KeyAlgorithm;
}

/** Options for a new certificate authority. */
export interface CertificateAuthorityOptions {
  readonly commonName: string;
  readonly keyAlgorithm?: KeyAlgorithm;
  /** Defaults to ten years, as kubeadm does for its CAs. */
  readonly validity?: Validity;
  readonly now?: Date;
}

const tenYears: Validity = { days: 3650 };

/** Creates a self-signed CA that may sign leaf certificates only (path length 0). */
export async function createCertificateAuthority(options: CertificateAuthorityOptions): Promise<CertificateAuthority> {
  const keyAlgorithm = options.keyAlgorithm ?? "ecdsa-p256";
  const keyPair = await generateKeyPair(keyAlgorithm);
  const { notBefore, notAfter } = validityWindow(options.validity ?? tenYears, options.now);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: new x509.Name([{ CN: [options.commonName] }]).toString(),
    keys: keyPair.keys,
    notBefore,
    notAfter,
    signingAlgorithm: signingAlgorithmFor(keyAlgorithm),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keyPair.keys.publicKey),
    ],
  });
  return { certificate, certificatePem: certificate.toString("pem"), keyPair, keyAlgorithm };
}

/** Reads a CA back from its PEM certificate and PKCS#8 key (as stored on disk or in a Secret). */
export async function loadCertificateAuthority(certificatePem: string, privateKeyPem: string): Promise<CertificateAuthority> {
  const certificate = new x509.X509Certificate(certificatePem);
  const keyAlgorithm: KeyAlgorithm = (certificate.publicKey.algorithm as { name: string }).name === "ECDSA" ? "ecdsa-p256" : "rsa-2048";
  const publicKeyPem = certificate.publicKey.toString("pem");
  const keyPair = await importKeyPair(privateKeyPem, publicKeyPem, keyAlgorithm);
  return { certificate, certificatePem: certificate.toString("pem"), keyPair, keyAlgorithm };
}
