import type { V1CertificateSigningRequest, V1Node } from "@kubernetes/client-node";
import { createCertificateRequest } from "@seedbed/pki";
import { describe, expect, it } from "vitest";
import { csrReasons, decideServingCSR, isPendingServingCSR, kubeletServingSigner, nodeRegistrationGraceMs } from "./decide.ts";

const now = new Date("2026-11-29T12:00:00Z");
const node: V1Node = {
  metadata: { name: "n1" },
  status: { addresses: [{ type: "InternalIP", address: "10.0.0.5" }, { type: "ExternalIP", address: "fd00::5" }, { type: "Hostname", address: "n1.internal" }] },
};

interface Case {
  readonly name: string;
  readonly user?: string;
  readonly groups?: string[];
  readonly subject?: { cn: string; o?: string[] };
  readonly altNames?: string[];
  readonly usages?: string[];
  readonly node?: V1Node | undefined;
  readonly ageMs?: number;
  readonly request?: string;
  readonly want: { verdict: string; reason?: string; message?: RegExp };
}

const cases: Case[] = [
  { name: "its own name and addresses", want: { verdict: "approve", reason: csrReasons.approved } },
  { name: "only some of its addresses, an IPv6 one written long", altNames: ["10.0.0.5", "fd00:0:0:0:0:0:0:5", "N1.internal"], want: { verdict: "approve" } },
  { name: "without key encipherment (an ECDSA key)", usages: ["digital signature", "server auth"], want: { verdict: "approve" } },
  { name: "another node's name", altNames: ["n1", "n2"], want: { verdict: "deny", reason: csrReasons.foreignName, message: /^n2 is not among node n1's/ } },
  { name: "a foreign IP address", altNames: ["n1", "10.0.0.5", "10.0.0.99"], want: { verdict: "deny", reason: csrReasons.foreignName, message: /10\.0\.0\.99/ } },
  { name: "a subject naming another node", subject: { cn: "system:node:n2", o: ["system:nodes"] }, want: { verdict: "deny", reason: csrReasons.subjectMismatch } },
  { name: "a subject with an extra group", subject: { cn: "system:node:n1", o: ["system:nodes", "system:masters"] }, want: { verdict: "deny", reason: csrReasons.subjectMismatch } },
  { name: "a requester that is not a node", user: "system:bootstrap:abcdef", groups: ["system:bootstrappers"], want: { verdict: "deny", reason: csrReasons.notANode } },
  { name: "a node name without the nodes group", groups: ["system:authenticated"], want: { verdict: "deny", reason: csrReasons.notANode } },
  { name: "client usages", usages: ["digital signature", "client auth"], want: { verdict: "deny", reason: csrReasons.usages } },
  { name: "server and client usages", usages: ["digital signature", "server auth", "client auth"], want: { verdict: "deny", reason: csrReasons.usages } },
  { name: "no names at all", altNames: [], want: { verdict: "deny", reason: csrReasons.malformed } },
  { name: "a request that does not parse", request: Buffer.from("not a request").toString("base64"), want: { verdict: "deny", reason: csrReasons.malformed } },
  { name: "a Node not registered yet", node: undefined, ageMs: 30_000, want: { verdict: "wait" } },
  { name: "a Node that never registered", node: undefined, ageMs: nodeRegistrationGraceMs + 1, want: { verdict: "deny", reason: csrReasons.nodeNotFound } },
  { name: "a Node without addresses", node: { metadata: { name: "n1" }, status: {} }, altNames: ["n1", "10.0.0.5"], want: { verdict: "deny", reason: csrReasons.foreignName } },
];

async function csrFor(c: Case, signerName = kubeletServingSigner, conditions: { type: string; status: string }[] = []): Promise<V1CertificateSigningRequest> {
  const subject = c.subject ?? { cn: "system:node:n1", o: ["system:nodes"] };
  const { requestPem } = await createCertificateRequest({ commonName: subject.cn, organizations: subject.o, altNames: c.altNames ?? ["n1", "n1.internal", "10.0.0.5", "fd00::5"] });
  return {
    metadata: { name: "csr-x", creationTimestamp: new Date(now.getTime() - (c.ageMs ?? 1000)) },
    spec: {
      signerName,
      request: c.request ?? Buffer.from(requestPem).toString("base64"),
      username: c.user ?? "system:node:n1",
      groups: c.groups ?? ["system:nodes", "system:authenticated"],
      usages: c.usages ?? ["digital signature", "key encipherment", "server auth"],
    },
    status: { conditions },
  };
}

describe("the kubelet serving CSR approver", () => {
  it.each(cases)("decides a request with $name: $want.verdict", async (c) => {
    const decision = decideServingCSR(await csrFor(c), "node" in c ? c.node : node, now);
    expect(decision.verdict).toBe(c.want.verdict);
    if (c.want.reason !== undefined && decision.verdict !== "wait") expect(decision.reason).toBe(c.want.reason);
    if (c.want.message !== undefined) expect(decision.message).toMatch(c.want.message);
  });

  it("decides only serving CSRs that nobody decided yet", async () => {
    const c: Case = { name: "x", want: { verdict: "approve" } };
    expect(isPendingServingCSR(await csrFor(c))).toBe(true);
    expect(isPendingServingCSR(await csrFor(c, "kubernetes.io/kube-apiserver-client-kubelet"))).toBe(false);
    for (const type of ["Approved", "Denied", "Failed"]) expect(isPendingServingCSR(await csrFor(c, kubeletServingSigner, [{ type, status: "True" }]))).toBe(false);
  });
});
