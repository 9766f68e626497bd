import type { EtcdBackup } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { restorePath } from "./format.ts";

const backup = (format: "Snapshot" | "PrefixExport" | undefined): EtcdBackup => ({
  apiVersion: "seedbed.dev/v1alpha1",
  kind: "EtcdBackup",
  metadata: { name: "nightly", namespace: "project-p" },
  spec: { clusterName: "web" },
  status: { phase: "Completed", ...(format === undefined ? {} : { format }) },
});
const local = { name: "local", snapshots: true, prefixes: true };

describe("restorePath", () => {
  it.each([
    { title: "a snapshot into an etcd of its own", format: "Snapshot" as const, seed: undefined, driver: local, expected: { path: "snapshot" } },
    { title: "a backup from before formats were recorded: a snapshot", format: undefined, seed: undefined, driver: local, expected: { path: "snapshot" } },
    { title: "a prefix export into a shared etcd's prefix", format: "PrefixExport" as const, seed: "local", driver: local, expected: { path: "prefix", seed: "local" } },
    { title: "a snapshot into a shared etcd: refused, naming the move", format: "Snapshot" as const, seed: "local", driver: local, expected: { reason: "FormatNotRestorable", message: /snapshot of cluster web's own etcd.*datastore\.type is Dedicated.*then set that cluster's type to Shared/ } },
    { title: "a prefix export into an etcd of its own: refused, naming the fix", format: "PrefixExport" as const, seed: undefined, driver: local, expected: { reason: "FormatNotRestorable", message: /prefix export .*datastore\.type is Shared/ } },
    { title: "a driver without snapshot restores", format: "Snapshot" as const, seed: undefined, driver: { name: "kubernetes", snapshots: false, prefixes: false }, expected: { reason: "NotSupported", message: /on driver kubernetes/ } },
    { title: "a driver without prefix restores", format: "PrefixExport" as const, seed: "s", driver: { name: "kubernetes", snapshots: true, prefixes: false }, expected: { reason: "NotSupported", message: /clusters in a shared etcd on driver kubernetes/ } },
  ])("$title", ({ format, seed, driver, expected }) => {
    const got = restorePath({ backup: backup(format), clusterName: "app", sharedSeed: seed, driver });
    if ("reason" in expected) {
      expect("refused" in got && got.refused.reason).toBe(expected.reason);
      expect("refused" in got ? got.refused.message : "").toMatch(expected.message as RegExp);
    } else {
      expect(got).toMatchObject(expected);
    }
  });
});
