import { describe, expect, it } from "vitest";
import { bootstrapTokenSecret, newBootstrapToken, seedbedBootstrapGroup } from "./token.ts";

describe("a node pool's bootstrap token", () => {
  it("has kubeadm's form, and a Secret that names Seedbed's group and the pool's, as the API server's authenticator accepts them", () => {
    const token = newBootstrapToken(3600, new Date("2026-11-29T12:00:00.123Z"));
    expect(`${token.id}.${token.secret}`).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const secret = bootstrapTokenSecret(token, "workers") as { metadata: { name: string; namespace: string }; type: string; stringData: Record<string, string> };
    expect(secret.metadata).toMatchObject({ name: `bootstrap-token-${token.id}`, namespace: "kube-system" });
    expect(secret.type).toBe("bootstrap.kubernetes.io/token");
    expect(secret.stringData.expiration).toBe("2026-11-29T13:00:00Z");
    const groups = (secret.stringData["auth-extra-groups"] ?? "").split(",");
    expect(groups).toEqual([seedbedBootstrapGroup, "system:bootstrappers:seedbed:workers"]);
    // The authenticator refuses a token whose extra groups do not match this (k8s.io/cluster-bootstrap).
    for (const group of groups) expect(group).toMatch(/^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/);
  });
});
