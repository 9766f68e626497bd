import { ApiException } from "@kubernetes/client-node";
import { SeedUnreachableError } from "@seedbed/controlplane";
import { describe, expect, it } from "vitest";
import { describeFailure, failedReadyCondition, shouldReport } from "./failure.ts";

const http = (code: number, message: string): ApiException<string> => new ApiException(code, "Unsuccessful HTTP Request", JSON.stringify({ message }), {});
const refused = new Error("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") });

describe("describeFailure", () => {
  it.each([
    { title: "a seed that does not answer", step: "seed", error: new SeedUnreachableError("the seed's API at https://127.0.0.1:1 has not listed its objects within 10 s"), reason: "SeedUnreachable", transient: true },
    { title: "a refused connection to the seed", step: "seed", error: refused, reason: "SeedUnreachable", transient: true },
    { title: "an apply the seed forbids", step: "seed", error: http(403, "namespaces is forbidden"), reason: "SeedRefused", transient: false },
    { title: "an apply the seed finds invalid", step: "seed", error: http(422, "Deployment is invalid"), reason: "SeedRefused", transient: false },
    { title: "a seed API that is overloaded", step: "seed", error: http(503, "try again"), reason: "ReconcileFailed", transient: true },
    { title: "a PKI write refused", step: "certificates", error: http(403, "secrets is forbidden"), reason: "CertificatesFailed", transient: false },
    { title: "a PKI write conflict", step: "certificates", error: http(409, "the object has been modified"), reason: "CertificatesFailed", transient: true },
    { title: "an admin kubeconfig write refused", step: "kubeconfig", error: http(422, "data too long"), reason: "KubeconfigFailed", transient: false },
    { title: "a seed kubeconfig that does not parse", step: "placement", error: new Error("invalid kubeconfig"), reason: "ReconcileFailed", transient: true },
  ] as const)("$title → $reason (transient: $transient)", ({ step, error, reason, transient }) => {
    const report = describeFailure(step, error, "eu");
    expect(report.reason).toBe(reason);
    expect(report.transient).toBe(transient);
  });

  it("says which step failed on which seed, the error, and whether retrying helps", () => {
    expect(describeFailure("seed", http(403, "namespaces is forbidden"), "eu").message).toBe("applying the control plane on its seed (seed eu) failed: HTTP 403: namespaces is forbidden; retrying will not help until this is fixed");
    expect(describeFailure("seed", refused, "eu").message).toBe("applying the control plane on its seed (seed eu) failed: fetch failed: connect ECONNREFUSED 127.0.0.1:1; retrying with backoff");
  });
});

describe("shouldReport", () => {
  const transient = describeFailure("seed", refused, "eu");
  const refusal = describeFailure("seed", http(403, "forbidden"), "eu");
  it.each([
    { title: "a transient failure just begun", report: transient, since: 1000, now: 1500, report_: false },
    { title: "a transient failure lasting the grace", report: transient, since: 1000, now: 31_000, report_: true },
    { title: "a refusal at once", report: refusal, since: 1000, now: 1000, report_: true },
  ])("$title → $report_", ({ report, since, now, report_ }) => {
    expect(shouldReport(report, since, now, 30_000)).toBe(report_);
  });
});

describe("failedReadyCondition", () => {
  it("is Ready=False with the failure's reason and message", () => {
    const report = describeFailure("certificates", http(403, "secrets is forbidden"), undefined);
    expect(failedReadyCondition(report)).toEqual({ type: "Ready", status: "False", reason: "CertificatesFailed", message: "storing the cluster's certificates (its PKI Secret) failed: HTTP 403: secrets is forbidden; retrying will not help until this is fixed" });
  });
});
