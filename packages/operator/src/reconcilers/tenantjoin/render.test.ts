import { describe, expect, it } from "vitest";
import { renderJoinRBAC } from "./render.ts";

describe("the join RBAC of a tenant", () => {
  it("binds kubeadm's roles to Seedbed's bootstrap group, to nodes for renewals and to the API server's kubelet client", () => {
    const summary = renderJoinRBAC().map((b) => {
      const { roleRef, subjects } = b as unknown as { roleRef: { name: string }; subjects: { kind: string; name: string }[] };
      return `${roleRef.name} <- ${subjects.map((s) => `${s.kind}/${s.name}`).join(",")}`;
    });
    expect(summary).toEqual([
      "system:node-bootstrapper <- Group/system:bootstrappers:seedbed",
      "system:certificates.k8s.io:certificatesigningrequests:nodeclient <- Group/system:bootstrappers:seedbed",
      "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient <- Group/system:nodes",
      "system:kubelet-api-admin <- User/kube-apiserver-kubelet-client",
      "system:node-proxier <- Group/system:nodes",
    ]);
  });
});
