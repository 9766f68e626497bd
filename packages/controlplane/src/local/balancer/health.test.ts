import { describe, expect, it } from "vitest";
import { initialHealth, nextHealth, type BackendHealth, type ProbeResult } from "./health.ts";

const ok: ProbeResult = { outcome: "ok" };
const failed: ProbeResult = { outcome: "failed", reason: "/readyz answered 500" };
const unreachable: ProbeResult = { outcome: "unreachable", reason: "connection refused" };

function after(results: readonly ProbeResult[]): BackendHealth {
  return results.reduce(nextHealth, initialHealth);
}

describe("a backend's health", () => {
  it.each<[string, readonly ProbeResult[], boolean]>([
    ["counts as up before any probe", [], true],
    ["stays up after one failed probe", [failed], true],
    ["goes down after two failed probes in a row", [failed, failed], false],
    ["goes down at once when unreachable", [unreachable], false],
    ["goes down when a failure follows an unreachable one", [unreachable, failed], false],
    ["comes back after one success", [failed, failed, ok], true],
    ["counts failures only in a row", [failed, ok, failed], true],
    ["stays down on a failure after being down", [failed, failed, failed], false],
  ])("%s", (_name, results, up) => {
    expect(after(results).up).toBe(up);
  });

  it("keeps the last failure's reason and clears it on success", () => {
    expect(after([failed, unreachable]).reason).toBe("connection refused");
    expect(after([failed, unreachable, ok])).toEqual(initialHealth);
  });
});
