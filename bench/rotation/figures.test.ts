import type { Cluster } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { classifyFailure, countFailures, failingSeconds, failureRuns, parseClusterCounts, phaseSeconds, restarts, roundClusterName, rotationCompleted, rotationSeconds } from "./figures.ts";

const at = (second: number): string => new Date(Date.UTC(2026, 0, 1) + second * 1000).toISOString();
const rotated = (startedSecond: number, completedSecond?: number, requested = "r1", phase = "Completed"): Cluster => ({
  apiVersion: "seedbed.dev/v1alpha1",
  kind: "Cluster",
  metadata: { name: `c${String(startedSecond)}` },
  spec: {},
  status: { certificates: { rotation: { id: "x", phase, trigger: "Manual", requested, startedTime: at(startedSecond), phaseTime: at(startedSecond), ...(completedSecond === undefined ? {} : { completionTime: at(completedSecond) }) } } },
}) as Cluster;

describe("the --clusters flag", () => {
  it.each([{ text: "1,100", counts: [1, 100] }, { text: "3", counts: [3] }, { text: " 1 , 2 ", counts: [1, 2] }])("takes $text", ({ text, counts }) => {
    expect(parseClusterCounts(text)).toEqual(counts);
  });
  it.each(["", "0", "1,", "1,,2", "x", "2.5", "-1"])("refuses %j, naming the flag and an example", (text) => {
    expect(() => parseClusterCounts(text)).toThrow(/--clusters must be one or more whole numbers.*e\.g\. 1,100/);
  });
});

describe("the round's cluster names", () => {
  it("pads the index and names the round, so that rounds never share a name", () => {
    expect([roundClusterName(0, 1), roundClusterName(7, 100), roundClusterName(99, 100), roundClusterName(3, 3)]).toEqual(["n1-0", "n100-07", "n100-99", "n3-3"]);
  });
});

describe("a cluster's rotation", () => {
  it.each([
    { cluster: rotated(0, 10), requested: "r1", done: true },
    { cluster: rotated(0, 10), requested: "r2", done: false },
    { cluster: rotated(0, undefined, "r1", "Completing"), requested: "r1", done: false },
  ])("counts as completed for $requested: $done", ({ cluster, requested, done }) => {
    expect(rotationCompleted(cluster, requested)).toBe(done);
  });
  it.each([
    { clusters: [rotated(0, 10)], p50: 10, max: 10 },
    { clusters: [rotated(0, 10), rotated(5, 25), rotated(1, 4)], p50: 10, max: 20 },
    { clusters: [rotated(0, 10), rotated(0, 20)], p50: 15, max: 20 },
    { clusters: [rotated(0, 10), rotated(0)], p50: 10, max: 10 },
    { clusters: [], p50: null, max: null },
  ])("gives the median and largest of startedTime to completionTime ($p50, $max)", ({ clusters, p50, max }) => {
    expect(rotationSeconds(clusters)).toEqual({ p50, max });
  });
});

describe("a failed request's kind", () => {
  it.each([
    { why: "unable to verify the first certificate", kind: "trust" },
    { why: "self-signed certificate in certificate chain", kind: "trust" },
    { why: "HTTP 401", kind: "trust" },
    { why: "HTTP 403", kind: "trust" },
    { why: "HTTP 403 namespaces \"default\" is forbidden: User \"system:anonymous\" cannot get resource \"namespaces\"", kind: "trust" },
    { why: "HTTP 403 namespaces \"default\" is forbidden: User \"system:serviceaccount:default:bench-loop\" cannot get resource \"namespaces\"", kind: "authorization" },
    { why: "HTTP 403 forbidden", kind: "trust" },
    { why: "HTTP 401 Unauthorized", kind: "trust" },
    { why: "HTTP-Code: 401\nMessage: Unauthorized", kind: "trust" },
    { why: "connect ECONNREFUSED 127.0.0.1:40001", kind: "connection" },
    { why: "read ECONNRESET", kind: "connection" },
    { why: "socket hang up", kind: "connection" },
    { why: "timed out after 10 s", kind: "connection" },
    { why: "HTTP 503", kind: "other" },
    { why: "HTTP 500", kind: "other" },
  ])("$why is a $kind failure", ({ why, kind }) => {
    expect(classifyFailure(why)).toBe(kind);
  });
  it("counts failures by kind", () => {
    const denied = { why: 'HTTP 403 namespaces "default" is forbidden: User "system:serviceaccount:default:bench-loop" cannot get resource "namespaces"' };
    expect(countFailures([{ why: "HTTP 401" }, { why: "read ECONNRESET" }, { why: "connect ECONNREFUSED" }, { why: "HTTP 503" }, denied])).toEqual({ failedRequests: 5, connectionFailures: 2, trustFailures: 1, authorizationFailures: 1, otherFailures: 1 });
    expect(countFailures([])).toEqual({ failedRequests: 0, connectionFailures: 0, trustFailures: 0, authorizationFailures: 0, otherFailures: 0 });
  });
});

describe("the failures in the log", () => {
  it("merges failures in a row with the same message into runs", () => {
    const failures = [{ at: 1, why: "connect ECONNREFUSED" }, { at: 2, why: "connect ECONNREFUSED" }, { at: 3, why: "HTTP 401" }, { at: 4, why: "connect ECONNREFUSED" }];
    expect(failureRuns(failures)).toEqual([{ from: 1, to: 2, count: 2, why: "connect ECONNREFUSED" }, { from: 3, to: 3, count: 1, why: "HTTP 401" }, { from: 4, to: 4, count: 1, why: "connect ECONNREFUSED" }]);
    expect(failureRuns([])).toEqual([]);
  });
  it("sums the runs of one kind into seconds out of reach", () => {
    const failures = [{ at: 0, why: "connect ECONNREFUSED" }, { at: 2500, why: "connect ECONNREFUSED" }, { at: 3000, why: "HTTP 401" }, { at: 5000, why: "read ECONNRESET" }, { at: 6000, why: "read ECONNRESET" }];
    expect(failingSeconds(failures, "connection")).toBe(3.5);
    expect(failingSeconds(failures, "trust")).toBe(0);
  });
});

describe("the phases of a rotation", () => {
  it("times each phase from its first sighting to the next phase's", () => {
    const seen = [
      { phase: "Preparing", atMs: 0 },
      { phase: "Preparing", atMs: 500 },
      { phase: "Prepared", atMs: 12_000 },
      { phase: "Completing", atMs: 12_400 },
      { phase: "Completed", atMs: 30_000 },
    ];
    expect(phaseSeconds(seen)).toEqual({ Preparing: 12, Prepared: 0.4, Completing: 17.6 });
  });
  it("leaves out a phase without a next one", () => {
    expect(phaseSeconds([{ phase: "Preparing", atMs: 0 }])).toEqual({});
  });
});

describe("process restarts", () => {
  it.each([
    { seen: [[10], [10], [10]], n: 0 },
    { seen: [[10], [], [11], [11], [12]], n: 2 },
    { seen: [[], []], n: 0 },
  ])("counts new pids after the first: $n", ({ seen, n }) => {
    expect(restarts(seen)).toBe(n);
  });
});
