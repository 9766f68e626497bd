import { X509Certificate } from "node:crypto";

/**
 * The earliest notAfter among PEM certificates (keys and other PEM blocks
 * are skipped), or undefined when there is none: when a cluster's
 * certificates next need renewing.
 */
export function earliestExpiry(pems: Iterable<string>): Date | undefined {
  let earliest: Date | undefined;
  for (const pem of pems) {
    if (!pem.includes("BEGIN CERTIFICATE")) continue;
    const notAfter = new Date(new X509Certificate(pem).validTo);
    if (earliest === undefined || notAfter < earliest) earliest = notAfter;
  }
  return earliest;
}
