import { X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, type KubernetesObject } from "@kubernetes/client-node";
import { apiVersion, installCRDs, projectClusterRoleName, projectClusterRoles, type CARotationStatus, type Cluster, type KubeconfigRecord } from "@seedbed/api";
import { buildKubeconfig, createCertificateAuthority, issueCertificate, type CertificateAuthority } from "@seedbed/pki";
import { apply, ObjectClient } from "@seedbed/runtime";
import { run, type RunResult } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

const cli = new URL("../src/bin/seedbed.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "seedbed-cli-certificates-"));
const tokens = { alice: "alice-token-5c1d", bob: "bob-token-8e2a" } as const;
const tokenFile = join(dir, "tokens.csv");
writeFileSync(tokenFile, `${tokens.alice},alice,uid-alice\n${tokens.bob},bob,uid-bob\n`);

/** The CA data of a kubeconfig cluster entry, as PEM. */
function caOf(entry: { cluster: Record<string, string> } | undefined): string {
  return Buffer.from(entry?.cluster["certificate-authority-data"] ?? "", "base64").toString("utf8");
}

/**
 * `seedbed cluster rotate-ca|certificates|kubeconfigs` and the ledger
 * `seedbed kubeconfig` writes, against a real management API with the
 * CRDs and the generated project roles: alice owns project a, bob views
 * it (static tokens). No operator runs: the test writes
 * status.certificates through the status subresource, with two real CAs
 * (old and new) as a rotation has them.
 */
describe("seedbed cluster rotate-ca, certificates and kubeconfigs", () => {
  const api = useKubeAPI({ apiServerExtraFlags: { "token-auth-file": tokenFile } });
  const namespace = "project-a";
  let oldCA: CertificateAuthority;
  let newCA: CertificateAuthority;
  const fingerprint = (ca: CertificateAuthority): string => new X509Certificate(ca.certificatePem).fingerprint256;
  const kubeconfigOf = (user: keyof typeof tokens): string => join(dir, `${user}.kubeconfig`);
  /** Runs the CLI as `user`, with a login of its own (the token kubeconfig needs one) and `env` besides. */
  const seedbed = (user: keyof typeof tokens, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
    run(process.execPath, [cli, ...args, "--project", "a", "--kubeconfig", kubeconfigOf(user)], { ...process.env, SEEDBED_HOME: join(dir, "home"), SEEDBED_CREDENTIALS: join(dir, `credentials-${user}`), ...env }, { timeoutMs: 60_000 });
  const objects = (): CustomObjectsApi => api().kubeConfig().makeApiClient(CustomObjectsApi);
  const readCluster = async (name: string): Promise<Cluster> => (await objects().getNamespacedCustomObject({ group: "seedbed.dev", version: "v1alpha1", namespace, plural: "clusters", name })) as Cluster;
  const rotation = (phase: CARotationStatus["phase"]): CARotationStatus => ({ id: "20300101t000000z", phase, trigger: "Manual", startedTime: "2030-01-01T00:00:00Z", phaseTime: "2030-01-01T00:05:00Z", message: "both CAs trusted" });
  const setStatus = async (name: string, phase?: CARotationStatus["phase"]): Promise<void> => {
    const status: Cluster["status"] = {
      phase: "Running",
      endpoint: "https://127.0.0.1:16443",
      certificateAuthority: `${newCA.certificatePem}${oldCA.certificatePem}`,
      adminKubeconfigSecretRef: { name: `${name}-admin-kubeconfig` },
      certificates: {
        authorities: [{ name: "cluster", fingerprint: fingerprint(newCA), notAfter: "2040-01-01T00:00:00Z", previous: { fingerprint: fingerprint(oldCA), notAfter: "2035-01-01T00:00:00Z" } }],
        leaves: [{ name: "apiserver", notAfter: "2030-02-01T00:00:00Z" }],
        renewalTime: "2030-01-25T00:00:00Z",
        ...(phase === undefined ? {} : { rotation: rotation(phase) }),
      },
    };
    await objects().patchNamespacedCustomObjectStatus({ group: "seedbed.dev", version: "v1alpha1", namespace, plural: "clusters", name, body: [{ op: "add", path: "/status", value: status }] });
  };
  const createCluster = async (name: string, phase?: CARotationStatus["phase"]): Promise<void> => {
    await objects().createNamespacedCustomObject({ group: "seedbed.dev", version: "v1alpha1", namespace, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name, namespace }, spec: {} } });
    await setStatus(name, phase);
  };
  /** The admin kubeconfig the operator wrote before the rotation: old CA only, client certificate from the old CA. */
  const adminKubeconfig = async (): Promise<string> => {
    const admin = await issueCertificate(oldCA, { commonName: "admin", organizations: ["system:masters"], usage: "client" });
    return buildKubeconfig({ clusterName: "web", server: "https://127.0.0.1:16443", certificateAuthorityPem: oldCA.certificatePem, userName: "admin", clientCertificatePem: admin.certificatePem, clientKeyPem: admin.privateKeyPem });
  };

  beforeAll(async () => {
    [oldCA, newCA] = await Promise.all([createCertificateAuthority({ commonName: "old-ca" }), createCertificateAuthority({ commonName: "new-ca" })]);
    const kc = api().kubeConfig();
    await installCRDs(kc);
    const client = ObjectClient.fromKubeConfig(kc);
    const put = (obj: object): Promise<unknown> => apply(client, obj as KubernetesObject);
    for (const role of projectClusterRoles()) await put(role);
    await put({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    for (const [user, role] of [["alice", "owner"], ["bob", "viewer"]] as const) {
      await put({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: `seedbed-${role}s`, namespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: projectClusterRoleName(role) },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
      });
      const caData = kc.getCurrentCluster()?.caData ?? "";
      writeFileSync(kubeconfigOf(user), stringify({
        apiVersion: "v1", kind: "Config", "current-context": "m",
        clusters: [{ name: "m", cluster: { server: api().server, "certificate-authority-data": caData } }],
        users: [{ name: user, user: { token: tokens[user] } }],
        contexts: [{ name: "m", context: { cluster: "m", user } }],
      }));
      // `seedbed kubeconfig` without --admin hands out a file for logged-in users: a login record is what it checks.
      mkdirSync(join(dir, `credentials-${user}`), { recursive: true });
      writeFileSync(join(dir, `credentials-${user}`, "login.json"), JSON.stringify({ user }));
    }
    await createCluster("web", "Prepared");
    await kc.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace, body: { metadata: { name: "web-admin-kubeconfig" }, data: { kubeconfig: Buffer.from(await adminKubeconfig()).toString("base64") } } });
  }, 60_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts a rotation: annotation seedbed.dev/rotate-ca set to the time, and says what happens next", async () => {
    await createCluster("fresh");
    const before = Date.now();
    const done = await seedbed("alice", ["cluster", "rotate-ca", "fresh"]);
    expect(done.stderr).toBe("");
    expect(done.status).toBe(0);
    const requested = (await readCluster("fresh")).metadata.annotations?.["seedbed.dev/rotate-ca"] ?? "";
    expect(Date.parse(requested)).toBeGreaterThanOrEqual(before - 1000);
    expect(done.stdout).toContain(`CA rotation of cluster fresh requested (annotation seedbed.dev/rotate-ca=${requested}). What happens next:\n  1. Preparing:`);
    expect(done.stdout).toContain("Refresh your kubeconfig now: seedbed kubeconfig fresh --project a --merge");
    expect(done.stdout).toContain("seedbed cluster rotate-ca fresh --project a --complete");
    expect(done.stdout).toContain("Follow it: seedbed cluster certificates fresh --project a\n");
  });

  it("does not start another while one is under way, and says so", async () => {
    const done = await seedbed("alice", ["cluster", "rotate-ca", "web"]);
    expect(done.status).toBe(0);
    expect(done.stdout).toBe("The CA rotation 20300101t000000z of cluster web is Prepared already (since 2030-01-01T00:05:00Z): both CAs trusted.\nComplete it: seedbed cluster rotate-ca web --project a --complete\nFollow it: seedbed cluster certificates web --project a\n");
    expect((await readCluster("web")).metadata.annotations?.["seedbed.dev/rotate-ca"]).toBeUndefined();
  });

  it("refuses --complete while no rotation is Prepared (exit 5), saying what to do, and changes nothing", async () => {
    await createCluster("calm");
    const none = await seedbed("alice", ["cluster", "rotate-ca", "calm", "--complete"]);
    expect(none.status).toBe(5);
    expect(none.stderr).toBe("seedbed: --complete: cluster calm has no CA rotation to complete, none is under way. Start one: seedbed cluster rotate-ca calm --project a\n");
    await setStatus("calm", "Preparing");
    const early = await seedbed("alice", ["cluster", "rotate-ca", "calm", "--complete"]);
    expect(early.status).toBe(5);
    expect(early.stderr).toContain("is still Preparing (both CAs trusted); it can be completed once it is Prepared. Follow it: seedbed cluster certificates calm --project a");
    expect((await readCluster("calm")).metadata.annotations).toBeUndefined();
  });

  it("refuses a viewer's rotation (exit 9) and changes nothing", async () => {
    const refused = await seedbed("bob", ["cluster", "rotate-ca", "fresh"]);
    expect(refused.status).toBe(9);
    expect(refused.stderr).toContain('User "bob" cannot patch resource "clusters"');
    const complete = await seedbed("bob", ["cluster", "rotate-ca", "web", "--complete"]);
    expect(complete.status).toBe(9);
    expect((await readCluster("web")).metadata.annotations?.["seedbed.dev/complete-ca-rotation"]).toBeUndefined();
  });

  it("records each hand-out in the ledger with its holder, kind and the fingerprints of the CAs it carries (the cluster's current bundle)", async () => {
    const adminOut = await seedbed("alice", ["kubeconfig", "web", "--admin"]);
    expect(adminOut.stderr).toBe("");
    expect(adminOut.status).toBe(0);
    const handed = parse(adminOut.stdout) as { clusters: { cluster: Record<string, string> }[] };
    expect(caOf(handed.clusters[0])).toBe(`${newCA.certificatePem}${oldCA.certificatePem}`);
    const tokenOut = await seedbed("bob", ["kubeconfig", "web"]);
    expect(tokenOut.stderr).toBe("");
    expect(tokenOut.status).toBe(0);
    // A token kubeconfig names the bundle's file, which its plugin (`seedbed token --project a --cluster web --ca-file …`) keeps current.
    const token = parse(tokenOut.stdout) as { clusters: { cluster: Record<string, string> }[]; users: { user: { exec: { args: string[] } } }[] };
    const caFile = token.clusters[0]?.cluster["certificate-authority"] ?? "";
    expect(token.clusters[0]?.cluster["certificate-authority-data"]).toBeUndefined();
    expect(caFile.startsWith(join(dir, "home", "cluster-cas"))).toBe(true);
    expect(readFileSync(caFile, "utf8")).toBe(`${newCA.certificatePem.trimEnd()}\n${oldCA.certificatePem.trimEnd()}\n`);
    expect(token.users[0]?.user.exec.args.slice(1)).toEqual(["token", "--project", "a", "--cluster", "web", "--ca-file", caFile]);
    // --embed-ca carries it instead, for another machine.
    const embedded = await seedbed("bob", ["kubeconfig", "web", "--embed-ca"]);
    expect(embedded.status, embedded.stderr).toBe(0);
    const portable = parse(embedded.stdout) as { clusters: { cluster: Record<string, string> }[]; users: { user: { exec: { args: string[] } } }[] };
    expect(caOf(portable.clusters[0])).toBe(`${newCA.certificatePem}${oldCA.certificatePem}`);
    expect(portable.clusters[0]?.cluster["certificate-authority"]).toBeUndefined();
    expect(portable.users[0]?.user.exec.args.slice(1)).toEqual(["token"]);

    const configMap = await api().kubeConfig().makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace, name: "web-kubeconfigs" });
    expect(configMap.metadata?.labels).toEqual({ "seedbed.dev/cluster": "web" });
    expect(configMap.metadata?.ownerReferences?.map((o) => [o.kind, o.name, o.uid])).toEqual([["Cluster", "web", (await readCluster("web")).metadata.uid]]);
    const records = Object.fromEntries(Object.entries(configMap.data ?? {}).map(([key, value]) => [key, JSON.parse(value) as KubeconfigRecord]));
    expect(Object.keys(records).sort()).toEqual(["admin.alice", "token.bob"]);
    expect(records["admin.alice"]).toMatchObject({ holder: "alice", kind: "admin", cas: [fingerprint(newCA), fingerprint(oldCA)], clientCA: fingerprint(oldCA), via: "cli" });
    expect(records["token.bob"]).toMatchObject({ holder: "bob", kind: "token", cas: [fingerprint(newCA), fingerprint(oldCA)], via: "cli" });
    expect(JSON.stringify(configMap.data)).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE|token-/);

    const listed = await seedbed("bob", ["cluster", "kubeconfigs", "web"]);
    expect(listed.status, listed.stderr).toBe(0);
    const lines = listed.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^HOLDER\s+KIND\s+HANDED OUT\s+VIA\s+TRUSTS CURRENT CA$/);
    // bob's token kubeconfig carries the new CA; alice's admin one authenticates with a certificate of the old CA.
    expect(lines.slice(1).map((l) => l.split(/\s+/).filter((_, i) => i !== 2).join(" ")).sort()).toEqual(["alice admin cli no", "bob token cli yes"]);
    const json = JSON.parse((await seedbed("bob", ["cluster", "kubeconfigs", "web", "-o", "json"])).stdout) as { currentCA: string; kubeconfigs: { holder: string; trustsCurrentCA: boolean }[] };
    expect(json.currentCA).toBe(fingerprint(newCA));
    expect(json.kubeconfigs.map((k) => [k.holder, k.trustsCurrentCA]).sort()).toEqual([["alice", false], ["bob", true]]);
  });

  it("shows the certificates: authorities, leaves, renewal, the rotation and the outstanding kubeconfigs", async () => {
    const shown = await seedbed("bob", ["cluster", "certificates", "web"]);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`  cluster\\s+${fingerprint(newCA)}\\s+2040-01-01T00:00:00Z\\s+${fingerprint(oldCA)} \\(until 2035-01-01T00:00:00Z\\)`));
    expect(shown.stdout).toMatch(/  apiserver\s+2030-02-01T00:00:00Z/);
    expect(shown.stdout).toContain("Renewal:   next leaf renewal at 2030-01-25T00:00:00Z\n");
    expect(shown.stdout).toContain("Rotation:  20300101t000000z Prepared (Manual, started 2030-01-01T00:00:00Z, phase since 2030-01-01T00:05:00Z): both CAs trusted\n");
    const outstanding = shown.stdout.split("Outstanding kubeconfigs")[1] ?? "";
    expect(outstanding).toMatch(/\n  alice\s+admin\s+\d{4}-/);
    expect(outstanding).not.toContain("bob");
  });

  it("completes a Prepared rotation (annotation set to its id), naming the kubeconfigs that will stop working", async () => {
    const done = await seedbed("alice", ["cluster", "rotate-ca", "web", "--complete"]);
    expect(done.stderr).toBe("");
    expect(done.status).toBe(0);
    expect((await readCluster("web")).metadata.annotations?.["seedbed.dev/complete-ca-rotation"]).toBe("20300101t000000z");
    expect(done.stdout).toContain("Completing the CA rotation 20300101t000000z of cluster web (annotation seedbed.dev/complete-ca-rotation=20300101t000000z)");
    expect(done.stdout).toMatch(/1 kubeconfig\(s\) handed out trust only the old CA and stop working; .*\n  alice \(admin, handed out \d{4}-/);
  });

  it("replaces the CA of the merged cluster entry, and of other entries for the same endpoint, with the current bundle", async () => {
    const target = join(dir, "merge", "config");
    mkdirSync(join(dir, "merge"), { recursive: true });
    const stale = Buffer.from(oldCA.certificatePem).toString("base64");
    writeFileSync(target, stringify({
      apiVersion: "v1", kind: "Config", "current-context": "other",
      clusters: [
        { name: "seedbed-a-web", cluster: { server: "https://127.0.0.1:16443", "certificate-authority-data": stale } },
        { name: "by-hand", cluster: { server: "https://127.0.0.1:16443", "certificate-authority-data": stale } },
        { name: "other", cluster: { server: "https://10.0.0.1:6443", "certificate-authority-data": stale } },
      ],
      users: [{ name: "other", user: { token: "x" } }],
      contexts: [{ name: "other", context: { cluster: "other", user: "other" } }],
    }));
    const merged = await seedbed("alice", ["kubeconfig", "web", "--admin", "--merge"], { KUBECONFIG: target });
    expect(merged.stderr).toBe("");
    expect(merged.status).toBe(0);
    expect(merged.stdout).toBe(`Merged cluster web into ${target} as context seedbed-a-web, now the current context.\nRefreshed the CA of by-hand too (same endpoint).\n`);
    const file = parse(readFileSync(target, "utf8")) as { clusters: { name: string; cluster: Record<string, string> }[] };
    const entry = (name: string): { cluster: Record<string, string> } | undefined => file.clusters.find((c) => c.name === name);
    expect(caOf(entry("seedbed-a-web"))).toBe(`${newCA.certificatePem}${oldCA.certificatePem}`);
    expect(caOf(entry("by-hand"))).toBe(`${newCA.certificatePem}${oldCA.certificatePem}`);
    expect(caOf(entry("other"))).toBe(oldCA.certificatePem);
  });
});
