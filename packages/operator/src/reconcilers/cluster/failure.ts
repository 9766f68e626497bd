import { ClusterConditions, ClusterReasons } from "@seedbed/api";
import { SeedUnreachableError } from "@seedbed/controlplane";
import { describeError, statusCodeOf, type ConditionInput } from "@seedbed/runtime";

/** The step of a reconcile pass that failed, for the message and the reason. */
export type PassStep = "placement" | "certificates" | "upgrade" | "seed" | "kubeconfig" | "datastore" | "status";

/** How long failures must persist before Ready says so (transient blips stay invisible): 30 s. */
export const defaultFailureGraceMs = 30_000;

/** What the status says about a failing pass. */
export interface FailureReport {
  readonly reason: string;
  /** Whether retrying alone may fix it (a refused connection, a conflict, a 5xx); false for refusals (403, 422, …). */
  readonly transient: boolean;
  readonly message: string;
}

/** HTTP statuses a retry will not change: the request itself is refused. */
const refusals = new Set([400, 401, 403, 405, 413, 415, 422]);

const what: Record<PassStep, string> = {
  placement: "finding the cluster's seed",
  certificates: "storing the cluster's certificates (its PKI Secret)",
  upgrade: "carrying out the cluster's upgrade (its status record, pre-upgrade snapshot or rollback restore)",
  seed: "applying the control plane on its seed",
  kubeconfig: "writing the admin kubeconfig Secret",
  datastore: "enforcing the cluster's limit in its shared datastore (an admission policy in the cluster)",
  status: "writing the cluster's status",
};

/** Why a pass failed, in the words of a Ready condition: reason, message, and whether it may pass by itself. */
export function describeFailure(step: PassStep, error: unknown, seed: string | undefined): FailureReport {
  const code = statusCodeOf(error);
  const transient = code === undefined ? true : !refusals.has(code);
  const where = step === "seed" || step === "placement" ? `${what[step]}${seed === undefined ? "" : ` (seed ${seed})`}` : what[step];
  const message = `${where} failed: ${describeError(error)}${transient ? "; retrying with backoff" : "; retrying will not help until this is fixed"}`;
  if (error instanceof SeedUnreachableError || (step === "seed" && code === undefined)) return { reason: ClusterReasons.SeedUnreachable, transient, message };
  if (step === "seed") return { reason: transient ? ClusterReasons.ReconcileFailed : ClusterReasons.SeedRefused, transient, message };
  if (step === "certificates") return { reason: ClusterReasons.CertificatesFailed, transient, message };
  if (step === "kubeconfig") return { reason: ClusterReasons.KubeconfigFailed, transient, message };
  return { reason: ClusterReasons.ReconcileFailed, transient, message };
}

/**
 * Whether a failing pass should show in Ready now: at once for a refusal,
 * otherwise once failures have persisted for `graceMs` since the first.
 */
export function shouldReport(report: FailureReport, failingSince: number, now: number, graceMs: number): boolean {
  return !report.transient || now - failingSince >= graceMs;
}

/** The Ready condition of a cluster whose passes fail. */
export function failedReadyCondition(report: FailureReport): ConditionInput {
  return { type: ClusterConditions.Ready, status: "False", reason: report.reason, message: report.message };
}
