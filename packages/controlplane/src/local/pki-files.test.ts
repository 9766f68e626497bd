import { mkdtempSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pkiFileNames } from "../pki-layout.ts";
import { ensurePKIFiles } from "./pki-files.ts";

describe("a local PKI directory", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("written by an older Seedbed gets the files added since, from its own CAs", async () => {
    const root = mkdtempSync(join(tmpdir(), "seedbed-pki-"));
    dirs.push(root);
    const dir = join(root, "pki");
    const options = { clusterName: "standalone", kubernetesServiceIP: "10.96.0.1" };
    await ensurePKIFiles(dir, options);
    const read = (file: string): string => readFileSync(join(dir, file), "utf8");
    const before = new Map(pkiFileNames.map((file) => [file, read(file)]));
    for (const file of ["front-proxy-ca.crt", "front-proxy-ca.key", "front-proxy-client.crt", "front-proxy-client.key", "apiserver-kubelet-client.crt", "apiserver-kubelet-client.key"]) unlinkSync(join(dir, file));
    await ensurePKIFiles(dir, options);
    for (const file of pkiFileNames) expect(read(file), file).not.toBe("");
    for (const file of ["ca.crt", "ca.key", "etcd-ca.crt", "etcd-ca.key", "sa.key", "sa.pub"]) expect(read(file), file).toBe(before.get(file));
    // Complete again: nothing changes.
    const completed = new Map(pkiFileNames.map((file) => [file, read(file)]));
    await ensurePKIFiles(dir, options);
    for (const file of pkiFileNames) expect(read(file), file).toBe(completed.get(file));
  });
});
