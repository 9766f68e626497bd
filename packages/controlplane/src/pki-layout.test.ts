import { createClusterPKI } from "@seedbed/pki";
import { describe, expect, it } from "vitest";
import { loadAuthorities, pkiFileContents } from "./pki-layout.ts";

const stored = pkiFileContents(await createClusterPKI({ clusterName: "p/c", kubernetesServiceIP: "10.96.0.1" }));
const without = (...files: string[]): Map<string, string> => new Map([...stored].filter(([file]) => !files.includes(file)));

describe("the authorities of a stored PKI", () => {
  it("are the stored ones when all are there", async () => {
    const authorities = await loadAuthorities(stored, { clusterName: "p/c" });
    expect(authorities.clusterCA.certificatePem).toBe(stored.get("ca.crt"));
    expect(authorities.frontProxyCA.certificatePem).toBe(stored.get("front-proxy-ca.crt"));
  });

  it("gain a front-proxy CA when a PKI from before it has none, keeping every other CA", async () => {
    const authorities = await loadAuthorities(without("front-proxy-ca.crt", "front-proxy-ca.key"), { clusterName: "p/c" });
    expect(authorities.frontProxyCA.certificatePem).not.toBe(stored.get("front-proxy-ca.crt"));
    expect(authorities.frontProxyCA.certificate.subject).toBe("CN=seedbed-front-proxy-ca-p/c");
    expect(authorities.clusterCA.certificatePem).toBe(stored.get("ca.crt"));
    expect(authorities.etcdCA.certificatePem).toBe(stored.get("etcd-ca.crt"));
    expect(authorities.serviceAccountKey.publicKeyPem).toBe(stored.get("sa.pub"));
  });

  it("are refused, naming the files, when a required one is missing or only half the front-proxy CA is there", async () => {
    await expect(loadAuthorities(without("ca.key"), { clusterName: "p/c" })).rejects.toThrow(/lacks ca\.key/);
    await expect(loadAuthorities(without("front-proxy-ca.key"), { clusterName: "p/c" })).rejects.toThrow(/only one of front-proxy-ca\.crt and front-proxy-ca\.key/);
  });
});
