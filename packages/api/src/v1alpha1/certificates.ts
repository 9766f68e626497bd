import Type from "typebox";
import { Duration, StringEnum } from "../schema/primitives.ts";

/** A CEL rule that a duration field lies between two bounds, with a message quoting the value. */
function between(min: string, max: string): { rule: string; messageExpression: string } {
  return { rule: `duration(self) >= duration('${min}') && duration(self) <= duration('${max}')`, messageExpression: `'must lie between ${min} and ${max}; got ' + self` };
}

/**
 * How a cluster's certificates live and rotate. Every field left out comes
 * from the cluster's template, then from the platform's defaults (one-year
 * leaves renewed in their last 30 days, ten-year CAs, no scheduled CA
 * rotation). The combination that results is checked again by the
 * operator (condition SpecValid), since a template can fill half of it.
 */
export const CertificatePolicy = Type.Object({
  leafValidity: Type.Optional(Duration({
    description: "How long leaf certificates (serving and client certificates of etcd, kube-apiserver, the controllers, kwok and the platform's own clients) live, e.g. \"24h\"; at least 1m.",
    "x-kubernetes-validations": [between("1m", "87600h")],
  })),
  renewBefore: Type.Optional(Duration({
    description: "Leaves are issued afresh once less than this remains of their life, e.g. \"8h\" for 24h leaves; shorter than leafValidity. kube-apiserver and etcd load them without a restart.",
    "x-kubernetes-validations": [between("10s", "87600h")],
  })),
  caValidity: Type.Optional(Duration({
    description: "How long a CA made for the cluster (cluster, etcd and front-proxy CAs) lives, e.g. \"87600h\"; longer than leafValidity. Applies to CAs made from now on.",
    "x-kubernetes-validations": [between("1h", "876000h")],
  })),
  caRotation: Type.Optional(Type.Object({
    every: Type.Optional(Duration({
      description: "Rotate the CAs and the service-account key this long after the last rotation (or the cluster's creation), e.g. \"4380h\"; shorter than caValidity. None: only on demand.",
      "x-kubernetes-validations": [between("1h", "876000h")],
    })),
    completeAfter: Type.Optional(Duration({
      description: "How long a rotation stays Prepared (both CAs trusted) before it completes by itself, so that holders of kubeconfigs refresh them (default 24h); `seedbed cluster rotate-ca NAME --complete` completes it earlier. Completing also waits until service-account tokens signed with the old key have expired.",
      "x-kubernetes-validations": [between("0s", "8760h")],
    })),
  }, { description: "CA rotation: a schedule, and how long to stay Prepared (seedbed cluster rotate-ca NAME starts one at any time)." })),
}, {
  "x-kubernetes-validations": [
    { rule: "!has(self.leafValidity) || !has(self.renewBefore) || duration(self.renewBefore) < duration(self.leafValidity)", messageExpression: "'renewBefore (' + self.renewBefore + ') must be shorter than leafValidity (' + self.leafValidity + '): leaves would be renewed as soon as they are issued'", fieldPath: ".renewBefore" },
    { rule: "!has(self.leafValidity) || !has(self.caValidity) || duration(self.leafValidity) < duration(self.caValidity)", messageExpression: "'leafValidity (' + self.leafValidity + ') must be shorter than caValidity (' + self.caValidity + '): a leaf cannot outlive the CA that signed it'", fieldPath: ".leafValidity" },
    { rule: "!has(self.caRotation) || !has(self.caRotation.every) || !has(self.caValidity) || duration(self.caRotation.every) < duration(self.caValidity)", messageExpression: "'caRotation.every (' + self.caRotation.every + ') must be shorter than caValidity (' + self.caValidity + '): the CA would expire before it is rotated'", fieldPath: ".caRotation.every" },
  ],
  description: "Leaf lifetime and renewal point, CA lifetime and an optional CA rotation schedule.",
});
/** A cluster's certificate policy (as written; fields may be missing). */
export type CertificatePolicy = Type.Static<typeof CertificatePolicy>;

/** The authorities a cluster has, each rotated by a CA rotation. */
export const authorityNames = ["cluster", "etcd", "frontProxy", "serviceAccount"] as const;
/** One of a cluster's authorities. */
export type AuthorityName = (typeof authorityNames)[number];

/** The stages of a CA rotation. */
export const caRotationPhases = ["Preparing", "Prepared", "Completing", "Completed"] as const;
/** A stage of a CA rotation. */
export type CARotationPhase = (typeof caRotationPhases)[number];

/** What a CA's status shows: never a key. */
const AuthorityFingerprint = Type.Object({
  fingerprint: Type.String({ maxLength: 95, description: "SHA-256 of the CA certificate (of the public key for serviceAccount), as colon-separated hex." }),
  notAfter: Type.Optional(Type.String({ format: "date-time", description: "When the CA expires (none for the service-account key)." })),
});

/** One authority's current and, during a rotation, previous CA. */
export const AuthorityStatus = Type.Object({
  name: StringEnum(authorityNames, { description: "cluster (clients and kube-apiserver's serving certificate), etcd, frontProxy (aggregated APIs) or serviceAccount (the token signing key)." }),
  ...AuthorityFingerprint.properties,
  previous: Type.Optional(Type.Object(AuthorityFingerprint.properties, { description: "The CA being rotated out: still trusted until the rotation completes." })),
});
/** An authority's status. */
export type AuthorityStatus = Type.Static<typeof AuthorityStatus>;

/** A CA rotation, stage by stage. */
export const CARotationStatus = Type.Object({
  id: Type.String({ maxLength: 32, description: "Names this rotation (its start time, compact)." }),
  phase: StringEnum(caRotationPhases, {
    description: "Preparing: new CAs and key made, every trust bundle carries old and new, client certificates issued from the new CAs, components reloaded. Prepared: both trusted; kubeconfigs handed out carry both. Completing: the old CAs leave every bundle and serving certificates come from the new ones. Completed.",
  }),
  requested: Type.Optional(Type.String({ maxLength: 64, description: "The value of the seedbed.dev/rotate-ca annotation this rotation answered (Manual)." })),
  trigger: StringEnum(["Schedule", "Manual"], { description: "spec.certificates.caRotation.every, or seedbed cluster rotate-ca (annotation seedbed.dev/rotate-ca)." }),
  startedTime: Type.String({ format: "date-time" }),
  phaseTime: Type.String({ format: "date-time", description: "When the current phase began." }),
  completionTime: Type.Optional(Type.String({ format: "date-time" })),
  message: Type.Optional(Type.String({ maxLength: 2048, description: "What the phase does or waits for." })),
  outstandingKubeconfigs: Type.Optional(Type.Integer({ minimum: 0, description: "Kubeconfigs handed out that trust only the old CA (see seedbed cluster kubeconfigs NAME): they stop working when the rotation completes." })),
});
/** A CA rotation's status. */
export type CARotationStatus = Type.Static<typeof CARotationStatus>;

/** When a leaf certificate expires. */
export const LeafStatus = Type.Object({
  name: Type.String({ maxLength: 63, description: "The certificate, e.g. apiserver, etcd-server, admin." }),
  notAfter: Type.String({ format: "date-time" }),
});

/** What the platform reports about a cluster's certificates: fingerprints and dates, never a key. */
export const ClusterCertificatesStatus = Type.Object({
  authorities: Type.Optional(Type.Array(AuthorityStatus, { maxItems: 4, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] })),
  leaves: Type.Optional(Type.Array(LeafStatus, { maxItems: 32, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"], description: "Each leaf certificate's expiry." })),
  renewalTime: Type.Optional(Type.String({ format: "date-time", description: "When the next leaf renewal is due." })),
  rotation: Type.Optional(CARotationStatus),
  lastRotationTime: Type.Optional(Type.String({ format: "date-time", description: "When the last CA rotation completed (the creation of the CAs before the first)." })),
  nextRotationTime: Type.Optional(Type.String({ format: "date-time", description: "When the scheduled CA rotation starts (spec.certificates.caRotation)." })),
});
/** A cluster's certificate status. */
export type ClusterCertificatesStatus = Type.Static<typeof ClusterCertificatesStatus>;

/** The annotation that asks for a CA rotation: any new value (the CLI writes the time) starts one unless one runs. */
export const rotateCAAnnotation = "seedbed.dev/rotate-ca";

/** The annotation that completes a Prepared CA rotation now instead of after caRotation.completeAfter: its value is the rotation's id (status.certificates.rotation.id). */
export const completeCARotationAnnotation = "seedbed.dev/complete-ca-rotation";

/** Whether a CA rotation is under way (started, not completed). */
export function isCARotationUnderway(rotation: Pick<CARotationStatus, "phase"> | undefined): boolean {
  return rotation !== undefined && rotation.phase !== "Completed";
}
