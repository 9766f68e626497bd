import { spawnSync } from "node:child_process";
import { CoreV1Api, KubernetesObjectApi, loadYaml, PatchStrategy, type V1CustomResourceDefinition } from "@kubernetes/client-node";
import { binaryPath } from "@seedbed/binaries";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { apiVersion, buildCRD, clusterKind, type Cluster, type CRDManifest } from "../src/index.ts";
import { merged, rejection } from "./admission-helpers.ts";

const namespace = "project-oidc";
const issuer = { issuerURL: "https://dex.team-a.example", clientID: "k8s" };
const cluster = (name: string, oidc: Record<string, unknown>): Cluster => ({ apiVersion, kind: "Cluster", metadata: { name, namespace }, spec: { auth: { oidc } } }) as unknown as Cluster;

/** The Cluster CRD in wire form, through loadYaml so that client-node keeps its x-kubernetes-* keys. */
function clusterCRD(edit: (crd: CRDManifest) => void = () => undefined): V1CustomResourceDefinition {
  const crd = structuredClone(buildCRD(clusterKind));
  edit(crd);
  return loadYaml<V1CustomResourceDefinition>(stringify(crd));
}

/** The Cluster CRD as it was before the prefix rules: no default, no validation on the two prefixes. */
function beforePrefixRules(crd: CRDManifest): void {
  const versions = crd.spec.versions as { schema: { openAPIV3Schema: Schema } }[];
  const oidc = versions[0]?.schema.openAPIV3Schema.properties?.spec?.properties?.auth?.properties?.oidc;
  if (!oidc?.properties) throw new Error("no spec.auth.oidc in the Cluster CRD");
  for (const field of ["usernamePrefix", "groupsPrefix"]) oidc.properties[field] = { type: "string", maxLength: 128 };
}
interface Schema {
  type?: string;
  maxLength?: number;
  properties?: Record<string, Schema>;
}

describe("the prefixes of a cluster's own issuer at a real kube-apiserver", () => {
  const api = useKubeAPI();
  let client: KubernetesObjectApi;

  // Objects stored by an older Seedbed, whose CRD accepted any prefix or none.
  beforeAll(async () => {
    const kc = api().kubeConfig();
    client = KubernetesObjectApi.makeApiClient(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    // Only the Cluster CRD, applied as installCRDs does, so this file tests its schema alone.
    const apply = (crd: V1CustomResourceDefinition): Promise<V1CustomResourceDefinition> => client.patch(crd, undefined, undefined, "seedbed", true, PatchStrategy.ServerSideApply);
    await apply(clusterCRD(beforePrefixRules));
    await eventually(() => rejection(client.create(cluster("legacy-empty", { ...issuer, usernamePrefix: "", groupsPrefix: "" }))), (r) => r === undefined, { timeoutMs: 30_000, description: "the old Cluster CRD served" });
    await client.create(cluster("legacy-absent", issuer));
    await apply(clusterCRD());
    // The new schema is in force once it refuses what the old one took.
    // (A fresh name each try: a probe the old schema still took must not answer "already exists" next time.)
    let probes = 0;
    const probe = (): Promise<unknown> => rejection(client.create(cluster(`probe-${String(++probes)}`, { ...issuer, usernamePrefix: "" })));
    await eventually(probe, (r) => JSON.stringify(r ?? "").includes("spec.auth.oidc.usernamePrefix"), { timeoutMs: 30_000, description: "the new Cluster CRD served" });
  });

  it("defaults both prefixes to oidc: when they are left out or null", async () => {
    const created = await client.create(cluster("defaults", issuer));
    expect(created.spec.auth?.oidc).toMatchObject({ usernamePrefix: "oidc:", groupsPrefix: "oidc:", usernameClaim: "sub", groupsClaim: "groups" });
    const nulls = await client.create(cluster("nulls", { ...issuer, usernamePrefix: null, groupsPrefix: null }));
    expect(nulls.spec.auth?.oidc).toMatchObject({ usernamePrefix: "oidc:", groupsPrefix: "oidc:" });
  });

  it("reads an object stored without prefixes as oidc:, since defaults apply to what comes out of etcd", async () => {
    const legacy = await client.read<Cluster>({ apiVersion, kind: "Cluster", metadata: { name: "legacy-absent", namespace } });
    expect(legacy.spec.auth?.oidc).toMatchObject({ usernamePrefix: "oidc:", groupsPrefix: "oidc:" });
  });

  it("lets an old object with empty prefixes be changed elsewhere (validation ratcheting), but not to another bad prefix", async () => {
    const stored = await client.read<Cluster>({ apiVersion, kind: "Cluster", metadata: { name: "legacy-empty", namespace } });
    expect(stored.spec.auth?.oidc).toMatchObject({ usernamePrefix: "", groupsPrefix: "" });
    const paused = await client.replace(merged(stored, { spec: { paused: true } }));
    expect(paused.spec.paused).toBe(true);
    expect(paused.spec.auth?.oidc?.usernamePrefix).toBe("");

    const causes = await rejection(client.replace(merged(paused, { spec: { auth: { oidc: { usernamePrefix: "system:" } } } })));
    expect(causes).toContainEqual({ field: "spec.auth.oidc.usernamePrefix", message: expect.stringMatching(/must not start with system: or seedbed:/) as string });

    const fixed = await client.replace(merged(paused, { spec: { auth: { oidc: { usernamePrefix: "oidc:", groupsPrefix: "oidc:" } } } }));
    expect(fixed.spec.auth?.oidc).toMatchObject({ usernamePrefix: "oidc:", groupsPrefix: "oidc:" });
  });

  it("makes kubectl apply of an empty prefix fail with the field and the fix", () => {
    const manifest = `apiVersion: ${apiVersion}\nkind: Cluster\nmetadata: { name: bad, namespace: ${namespace} }\nspec:\n  auth:\n    oidc: { issuerURL: "https://dex.team-a.example", clientID: k8s, groupsPrefix: "" }\n`;
    const applied = spawnSync(binaryPath("kubectl"), ["--kubeconfig", api().kubeconfigPath, "apply", "-f", "-"], { encoding: "utf8", input: manifest });
    expect(applied.status).not.toBe(0);
    expect(applied.stderr).toMatch(/spec\.auth\.oidc\.groupsPrefix: Invalid value: "": must not be empty: without a prefix the cluster's own issuer could assert the platform's users and groups \(e\.g\. a project owner's e-mail\); use e\.g\. "oidc:" \(the default\)/);
  });
});
