import { webcrypto } from "node:crypto";
import { x509 } from "./x509.ts";

type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** The key types Seedbed issues; ECDSA P-256 is the default (a whole tenant PKI in milliseconds). */
export type KeyAlgorithm = "ecdsa-p256" | "rsa-2048";

/** A key pair with its PEM encodings; the private key is PKCS#8. */
export interface KeyPair {
  readonly keys: CryptoKeyPair;
  readonly publicKeyPem: string;
  readonly privateKeyPem: string;
}

const crypto = webcrypto;

/** The Web Crypto parameters for generating, importing and signing with each key type. */
export function algorithmFor(kind: KeyAlgorithm): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams {
  return kind === "rsa-2048"
    ? { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }
    : { name: "ECDSA", namedCurve: "P-256" };
}

/** The signature algorithm for certificates signed by a key of this type. */
export function signingAlgorithmFor(kind: KeyAlgorithm): webcrypto.Algorithm | webcrypto.EcdsaParams {
  return kind === "rsa-2048" ? { name: "RSASSA-PKCS1-v1_5" } : { name: "ECDSA", hash: "SHA-256" };
}

/** Generates a new extractable key pair. */
export async function generateKeyPair(kind: KeyAlgorithm = "ecdsa-p256"): Promise<KeyPair> {
  const keys = await crypto.subtle.generateKey(algorithmFor(kind), true, ["sign", "verify"]);
  return withPem(keys);
}

/** Reads a PKCS#8 private key and its public key back into a key pair. */
export async function importKeyPair(privateKeyPem: string, publicKeyPem: string, kind: KeyAlgorithm = "ecdsa-p256"): Promise<KeyPair> {
  const algorithm = algorithmFor(kind);
  const privateKey = await crypto.subtle.importKey("pkcs8", pemBody(privateKeyPem, "PRIVATE KEY"), algorithm, true, ["sign"]);
  const publicKey = await crypto.subtle.importKey("spki", pemBody(publicKeyPem, "PUBLIC KEY"), algorithm, true, ["verify"]);
  return withPem({ privateKey, publicKey });
}

async function withPem(keys: CryptoKeyPair): Promise<KeyPair> {
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  const spki = await crypto.subtle.exportKey("spki", keys.publicKey);
  return {
    keys,
    privateKeyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY"),
    publicKeyPem: x509.PemConverter.encode(spki, "PUBLIC KEY"),
  };
}

function pemBody(pem: string, label: string): ArrayBuffer {
  const blocks = x509.PemConverter.decodeWithHeaders(pem).filter((block) => block.type === label);
  const first = blocks[0];
  if (!first) throw new Error(`expected a PEM block "${label}"`);
  return first.rawData;
}
