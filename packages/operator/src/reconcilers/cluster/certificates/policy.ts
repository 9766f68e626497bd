import type { CertificatePolicy, Cluster, ClusterTemplate } from "@seedbed/api";
import { durationMs } from "../../duration.ts";
import { InvalidSpecError } from "../resolve.ts";

/** A certificate policy with every field known, in milliseconds. */
export interface CertificateTimes {
  readonly leafValidityMs: number;
  readonly renewBeforeMs: number;
  readonly caValidityMs: number;
  /** Scheduled CA rotation; none when absent. */
  readonly rotateEveryMs?: number;
  /** How long a rotation stays Prepared before it completes by itself. */
  readonly completeAfterMs: number;
}

/** The platform's defaults: kubeadm's one-year leaves renewed in their last month, ten-year CAs, a day Prepared. */
export const platformCertificateDefaults: CertificatePolicy = { leafValidity: "8760h", renewBefore: "720h", caValidity: "87600h", caRotation: { completeAfter: "24h" } };

/**
 * The policy in effect for a cluster, field by field: its own spec, then
 * its template's, then the platform's. The CRD checks each object's own
 * fields together; a combination that a template and a cluster make
 * between them is checked here, and refused (SpecValid=False) with the
 * fields named.
 */
export function effectiveCertificateTimes(cluster: Cluster, template: ClusterTemplate | undefined, platform: CertificatePolicy = platformCertificateDefaults): CertificateTimes {
  const layers = [cluster.spec.certificates, template?.spec.certificates, platform, platformCertificateDefaults];
  const pick = <T>(get: (p: CertificatePolicy) => T | undefined): T | undefined => layers.map((p) => (p === undefined ? undefined : get(p))).find((v) => v !== undefined);
  const ms = (field: string, value: string | undefined): number => {
    if (value === undefined) throw new InvalidSpecError("InvalidCertificatePolicy", `spec.certificates.${field} has no value and the platform gives none`);
    return durationMs(value);
  };
  const every = pick((p) => p.caRotation?.every);
  const times: CertificateTimes = {
    leafValidityMs: ms("leafValidity", pick((p) => p.leafValidity)),
    renewBeforeMs: ms("renewBefore", pick((p) => p.renewBefore)),
    caValidityMs: ms("caValidity", pick((p) => p.caValidity)),
    ...(every === undefined ? {} : { rotateEveryMs: durationMs(every) }),
    completeAfterMs: ms("caRotation.completeAfter", pick((p) => p.caRotation?.completeAfter)),
  };
  const problem = certificateTimesProblem(times);
  if (problem !== undefined) throw new InvalidSpecError("InvalidCertificatePolicy", `${problem} (the cluster's spec.certificates, its template's and the platform's defaults combined); set the fields in the Cluster's spec.certificates`);
  return times;
}

/** What makes a policy impossible, or undefined. */
export function certificateTimesProblem(t: CertificateTimes): string | undefined {
  if (t.renewBeforeMs >= t.leafValidityMs) return `renewBefore (${seconds(t.renewBeforeMs)}) must be shorter than leafValidity (${seconds(t.leafValidityMs)})`;
  if (t.leafValidityMs >= t.caValidityMs) return `leafValidity (${seconds(t.leafValidityMs)}) must be shorter than caValidity (${seconds(t.caValidityMs)})`;
  if (t.rotateEveryMs !== undefined && t.rotateEveryMs >= t.caValidityMs) return `caRotation.every (${seconds(t.rotateEveryMs)}) must be shorter than caValidity (${seconds(t.caValidityMs)})`;
  return undefined;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}
