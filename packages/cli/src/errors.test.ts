import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ExitCode, explain } from "./errors.ts";

describe("explain", () => {
  const subject = { kind: "cluster", name: "web", project: "a", server: "https://127.0.0.1:6443" };

  it("maps a 401 of the management API to its own exit code, saying to log in again", () => {
    const error = explain(new ApiException(401, "Unauthorized", JSON.stringify({ message: "Unauthorized" }), {}), subject);
    expect(error.exitCode).toBe(ExitCode.unauthenticated);
    expect(error.exitCode).toBe(10);
    expect(error.message).toBe("the management API at https://127.0.0.1:6443 did not accept your credentials (401: the session expired or was revoked, or it belongs to another platform); log in again: seedbed login (or check --kubeconfig)");
  });

  it("keeps 403 apart (exit 9)", () => {
    expect(explain(new ApiException(403, "Forbidden", JSON.stringify({ message: "no" }), {}), subject).exitCode).toBe(ExitCode.forbidden);
  });

  it("maps a failed exec plugin that says to log in (client-node throws its stderr) to exit 10", () => {
    const error = explain(new Error("seedbed: not logged in (no session in /tmp/x); log in again: seedbed login\n"), subject);
    expect(error.exitCode).toBe(ExitCode.unauthenticated);
    expect(error.message).toBe("not logged in (no session in /tmp/x); log in again: seedbed login");
  });

  it("leaves other errors a failure (exit 1)", () => {
    expect(explain(new Error("something else"), subject).exitCode).toBe(ExitCode.failure);
  });
});
