import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CoreV1Api, type KubernetesObject } from "@kubernetes/client-node";
import { apiVersion, installCRDs, type KubeconfigRecord } from "@seedbed/api";
import { binaryPath } from "@seedbed/binaries";
import { renderAuthenticationConfiguration } from "@seedbed/controlplane";
import { startDevIssuer, type DevIssuer } from "@seedbed/identity";
import { createCertificateAuthority } from "@seedbed/pki";
import { apply, ObjectClient } from "@seedbed/runtime";
import { run, type RunResult } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

const cli = new URL("../src/bin/seedbed.ts", import.meta.url).pathname;


/**
 * `seedbed kubeconfig` and the CLI's answers to missing or refused
 * credentials, with real logins: the development issuer, and a
 * kube-apiserver that trusts it. The same API server stands in for the
 * tenant: the Cluster's status names it as the endpoint, so a kubeconfig
 * of the cluster reaches it and `kubectl auth whoami` says who logged in.
 */
describe("seedbed kubeconfig: one file, each user as themselves", () => {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-cli-kubeconfig-"));
  const configPath = join(dir, "authentication-config.yaml");
  let issuer: DevIssuer;

  beforeAll(async () => {
    // Before the API server: it reads the configuration at start.
    issuer = await startDevIssuer({ dir: join(dir, "issuer"), port: 0 });
    writeFileSync(configPath, renderAuthenticationConfiguration({ issuers: [{ issuerURL: issuer.issuerURL, caPEM: issuer.caPEM, clientID: issuer.clientID }] }));
    writeFileSync(join(dir, "issuer-ca.pem"), issuer.caPEM);
  });
  const api = useKubeAPI({ apiServerExtraFlags: { "authentication-config": configPath } });
  afterAll(async () => {
    await issuer.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Each user's own environment: their own credential store, one platform home. */
  const envOf = (user: string): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, SEEDBED_HOME: join(dir, "home"), SEEDBED_CREDENTIALS: join(dir, `credentials-${user}`) };
    delete env.SEEDBED_KUBECONFIG; // the login decides, not a kubeconfig the test run may have set
    return env;
  };
  const seedbed = (env: NodeJS.ProcessEnv, ...args: string[]): Promise<RunResult> => run(process.execPath, [cli, ...args], env, { timeoutMs: 60_000 });
  const kubectl = (env: NodeJS.ProcessEnv, kubeconfig: string, ...args: string[]): Promise<RunResult> => run(binaryPath("kubectl"), ["--kubeconfig", kubeconfig, ...args], env, { timeoutMs: 60_000 });
  const managementCA = (): string => Buffer.from(api().kubeConfig().getCurrentCluster()?.caData ?? "", "base64").toString("utf8");

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    const client = ObjectClient.fromKubeConfig(kc);
    const put = (obj: object): Promise<unknown> => apply(client, obj as KubernetesObject);
    await put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "project-a" } });
    // alice and bob may read the project's clusters (what `seedbed kubeconfig` reads) and keep its kubeconfig ledgers, as project members may.
    await put({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "read-clusters", namespace: "project-a" },
      rules: [{ apiGroups: ["seedbed.dev"], resources: ["clusters"], verbs: ["get", "list"] }, { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "create", "patch"] }],
    });
    await put({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "members", namespace: "project-a" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "read-clusters" },
      subjects: ["alice@example.com", "bob@example.com"].map((name) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "User", name })),
    });
    await put({ apiVersion, kind: "Cluster", metadata: { name: "web", namespace: "project-a" }, spec: {} });
    await client.request("PATCH", `/apis/${apiVersion}/namespaces/project-a/clusters/web/status`, {
      body: { status: { endpoint: api().server, certificateAuthority: managementCA() } },
      contentType: "application/merge-patch+json",
    });
    writeFileSync(join(dir, "server-ca.pem"), managementCA());
    for (const user of ["alice", "bob"]) {
      const password = issuer.users.find((u) => u.username === user)?.password ?? "";
      const login = await seedbed(envOf(user), "login", "--user", user, "--password", password, "--issuer", issuer.issuerURL, "--issuer-ca", join(dir, "issuer-ca.pem"), "--server", api().server, "--server-ca", join(dir, "server-ca.pem"));
      expect(login.status, login.stderr).toBe(0);
    }
  }, 120_000);

  it("hands out a file that names no credential store, and each user of it logs in as themselves", async () => {
    const printed = await seedbed(envOf("alice"), "kubeconfig", "web", "--project", "a");
    expect(printed.status, printed.stderr).toBe(0);
    const file = join(dir, "team.kubeconfig");
    writeFileSync(file, printed.stdout, { mode: 0o600 });
    expect(printed.stdout).not.toContain("SEEDBED_CREDENTIALS");
    expect(printed.stdout).not.toContain(join(dir, "credentials-alice"));
    expect(printed.stdout).not.toContain("alice");
    expect(printed.stdout).toMatch(/args:\n\s+- .*seedbed\.ts\n\s+- token/);
    // The CA is a file of this machine's Seedbed home, which the plugin keeps current; the kubeconfig does not carry it.
    const cluster = (parse(printed.stdout) as { clusters: { cluster: Record<string, string> }[] }).clusters[0]?.cluster;
    expect(cluster?.["certificate-authority-data"]).toBeUndefined();
    expect(cluster?.["certificate-authority"]).toMatch(new RegExp(`^${join(dir, "home", "cluster-cas")}/127\\.0\\.0\\.1_\\d+/a/web/ca\\.crt$`));
    expect(readFileSync(cluster?.["certificate-authority"] ?? "", "utf8")).toBe(`${managementCA().trimEnd()}\n`);

    // The API server learns the issuer's keys shortly after it starts: wait for alice's first success.
    const whoami = (user: string): Promise<RunResult> => kubectl(envOf(user), file, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
    const deadline = Date.now() + 60_000;
    let alice = await whoami("alice");
    while (alice.stdout !== "alice@example.com" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      alice = await whoami("alice");
    }
    expect(alice.stdout, alice.stderr).toBe("alice@example.com");
    expect((await whoami("bob")).stdout).toBe("bob@example.com");
    // Someone with no session of their own gets no one's access, and is told to log in.
    const nobody = await whoami("nobody");
    expect(nobody.status).not.toBe(0);
    expect(nobody.stderr).toContain("log in again: seedbed login");
  }, 90_000);

  it("refuses the default kubeconfig without a login, saying to log in or use --admin (exit 10)", async () => {
    const refused = await seedbed(envOf("nobody"), "kubeconfig", "web", "--project", "a");
    expect(refused.status).toBe(10);
    expect(refused.stderr).toContain("not logged in");
    expect(refused.stderr).toContain("Log in first: seedbed login");
    expect(refused.stderr).toContain("--admin");
    expect(refused.stdout).toBe("");
  });

  it("maps a 401 of the management API to exit 10 with a message to log in again", async () => {
    const bogus = join(dir, "bogus.kubeconfig");
    // alice's own management kubeconfig, with a token the API server does not know instead of her plugin.
    const config = parse(readFileSync(join(dir, "credentials-alice", "management.kubeconfig"), "utf8")) as { users: { user: object }[] };
    for (const entry of config.users) entry.user = { token: "not-a-valid-token" };
    writeFileSync(bogus, stringify(config));
    const refused = await seedbed(envOf("alice"), "cluster", "list", "--project", "a", "--kubeconfig", bogus);
    expect(refused.status, refused.stderr).toBe(10);
    expect(refused.stderr).toContain("did not accept your credentials (401");
    expect(refused.stderr).toContain("log in again: seedbed login");
  });

  it("maps a session that is gone to exit 10 too", async () => {
    // bob's store loses its tokens: the login kubeconfig's plugin can no longer get him a token.
    rmSync(join(dir, "credentials-bob", "tokens.json"));
    const expired = await seedbed(envOf("bob"), "cluster", "list", "--project", "a");
    expect(expired.status, expired.stderr).toBe(10);
    expect(expired.stderr).toContain("log in again: seedbed login");
  });

  /**
   * Issue 17: a token kubeconfig through a CA rotation. The tenant is the
   * same API server, which serves a certificate of the management CA (M):
   * the kubeconfig is handed out while the cluster's CA is another one (A),
   * so kubectl cannot verify the server until the plugin has put the
   * bundle A+M that a Prepared rotation publishes into the CA file. The
   * management API is reached through a TCP proxy that counts connections
   * (the plugin's reads) and can stop answering.
   */
  describe("a token kubeconfig through a CA rotation", () => {
    let proxy: Server;
    let proxyURL = "";
    let connections = 0;
    let answering = true;
    const held = new Set<Socket>();
    let caA: X509Certificate;
    let pemA = "";
    const env = (): NodeJS.ProcessEnv => envOf("alice-proxied");
    const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;
    const setBundle = async (certificateAuthority: string): Promise<void> => {
      await ObjectClient.fromKubeConfig(api().kubeConfig()).request("PATCH", `/apis/${apiVersion}/namespaces/project-a/clusters/rotating/status`, {
        body: { status: { endpoint: api().server, certificateAuthority } },
        contentType: "application/merge-patch+json",
      });
    };
    const ledgerRecord = async (): Promise<KubeconfigRecord | undefined> => {
      const configMap = await api().kubeConfig().makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: "project-a", name: "rotating-kubeconfigs" });
      const value = configMap.data?.["token.alice_40example.com"];
      return value === undefined ? undefined : (JSON.parse(value) as KubeconfigRecord);
    };
    /** As if the last check were two minutes old: the plugin checks at most once a minute. */
    const ageCheck = (caFile: string): void => {
      const path = join(dirname(caFile), "check.json");
      const state = JSON.parse(readFileSync(path, "utf8")) as { checkedAt: string };
      writeFileSync(path, JSON.stringify({ ...state, checkedAt: new Date(Date.now() - 120_000).toISOString() }));
    };

    beforeAll(async () => {
      const apiPort = Number(new URL(api().server).port);
      proxy = createServer((client) => {
        connections++;
        held.add(client);
        client.on("close", () => held.delete(client));
        client.on("error", () => undefined);
        if (!answering) return; // accepts, and never answers
        const upstream = connect(apiPort, "127.0.0.1");
        upstream.on("error", () => client.destroy());
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
      const address = proxy.address();
      proxyURL = `https://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
      const ca = await createCertificateAuthority({ commonName: "cluster-ca-a" });
      // As the CA file holds it: each certificate ending in a newline.
      pemA = `${ca.certificatePem.trimEnd()}\n`;
      caA = new X509Certificate(pemA);
      const client = ObjectClient.fromKubeConfig(api().kubeConfig());
      await apply(client, { apiVersion, kind: "Cluster", metadata: { name: "rotating", namespace: "project-a" }, spec: {} } as KubernetesObject);
      await setBundle(pemA);
      const password = issuer.users.find((u) => u.username === "alice")?.password ?? "";
      const login = await seedbed(env(), "login", "--user", "alice", "--password", password, "--issuer", issuer.issuerURL, "--issuer-ca", join(dir, "issuer-ca.pem"), "--server", proxyURL, "--server-ca", join(dir, "server-ca.pem"));
      expect(login.status, login.stderr).toBe(0);
    }, 60_000);
    afterAll(async () => {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    });

    it("refreshes the CA file from status.certificateAuthority when `seedbed token` runs, updates the ledger, and reads at most once a minute", async () => {
      const handed = await seedbed(env(), "kubeconfig", "rotating", "--project", "a");
      expect(handed.stderr).toBe("");
      expect(handed.status).toBe(0);
      const kubeconfig = parse(handed.stdout) as { clusters: { cluster: Record<string, string> }[]; users: { user: { exec: { command: string; args: string[] } } }[] };
      const caFile = kubeconfig.clusters[0]?.cluster["certificate-authority"] ?? "";
      const exec = kubeconfig.users[0]?.user.exec;
      expect(exec?.args.slice(1)).toEqual(["token", "--project", "a", "--cluster", "rotating", "--ca-file", caFile]);
      expect(readFileSync(caFile, "utf8")).toBe(pemA);
      expect(statSync(caFile).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(caFile)).mode & 0o777).toBe(0o700);
      const handedRecord = await ledgerRecord();
      expect(handedRecord).toMatchObject({ holder: "alice@example.com", kind: "token", cas: [caA.fingerprint256], via: "cli" });
      const file = join(dir, "rotating.kubeconfig");
      writeFileSync(file, handed.stdout, { mode: 0o600 });

      // The rotation is Prepared: the cluster publishes old and new (A, and M, which the server presents).
      const pemM = `${managementCA().trimEnd()}\n`;
      // Run together, as a bundle may come: the file gets each certificate on its own lines, which kubectl (Go's PEM reader) needs.
      const bundle = `${pemA}${pemM}`;
      await setBundle(`${pemA.trimEnd()}${pemM.trimEnd()}`);
      /** Runs the plugin as kubectl does: its command and args from the kubeconfig, kubectl's exec environment. */
      const plugin = (): Promise<RunResult> =>
        run(exec?.command ?? "", exec?.args ?? [], { ...env(), KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", spec: { interactive: false } }) }, { timeoutMs: 30_000 });
      const credential = (result: RunResult): string | undefined => (JSON.parse(result.stdout) as { kind: string; status?: { token?: string } }).status?.token;

      // Just handed out: kubectl cannot verify the server with A, and its plugin does not read the API within the minute.
      let before = connections;
      const unverified = await kubectl(env(), file, "auth", "whoami");
      expect(unverified.status).not.toBe(0);
      expect(unverified.stderr).toMatch(/x509|certificate/);
      expect(connections).toBe(before);
      expect(readFileSync(caFile, "utf8")).toBe(pemA);

      // A minute later the plugin reads the cluster and writes its bundle, and records that in the ledger.
      ageCheck(caFile);
      before = connections;
      const refreshed = await plugin();
      expect(refreshed.status, refreshed.stderr).toBe(0);
      expect(credential(refreshed)).toMatch(/^ey/);
      expect(readFileSync(caFile, "utf8")).toBe(bundle);
      expect(statSync(caFile).mode & 0o777).toBe(0o600);
      expect(connections).toBeGreaterThan(before);
      const record = await ledgerRecord();
      expect(record?.cas).toEqual([caA.fingerprint256, fingerprint(managementCA())]);
      expect(Date.parse(record?.time ?? "")).toBeGreaterThan(Date.parse(handedRecord?.time ?? ""));

      // The next kubectl run verifies the server with the refreshed file.
      const deadline = Date.now() + 30_000;
      let whoami = await kubectl(env(), file, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
      while (whoami.stdout !== "alice@example.com" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        whoami = await kubectl(env(), file, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
      }
      expect(whoami.stdout, whoami.stderr).toBe("alice@example.com");

      // Within the minute a changed bundle is not read: no connection, the file as it was.
      await setBundle(managementCA());
      before = connections;
      const again = await plugin();
      expect(again.status, again.stderr).toBe(0);
      expect(credential(again)).toMatch(/^ey/);
      expect(connections).toBe(before);
      expect(readFileSync(caFile, "utf8")).toBe(bundle);

      // The management API stops answering: the credential still comes, within the read's timeout, and the file stays.
      ageCheck(caFile);
      answering = false;
      before = connections;
      const started = Date.now();
      const offline = await plugin();
      const took = Date.now() - started;
      expect(offline.status, offline.stderr).toBe(0);
      expect(offline.stderr).toBe("");
      expect(credential(offline)).toMatch(/^ey/);
      expect(connections).toBe(before + 1);
      expect(took).toBeGreaterThanOrEqual(2_000);
      expect(took).toBeLessThan(10_000);
      expect(readFileSync(caFile, "utf8")).toBe(bundle);
      // That attempt counts as the minute's check: the next run neither connects nor waits.
      const quick = await plugin();
      expect(quick.status).toBe(0);
      expect(connections).toBe(before + 1);

      // Back online, a minute later: the completed rotation's CA (M alone) replaces the bundle.
      answering = true;
      ageCheck(caFile);
      expect((await plugin()).status).toBe(0);
      expect(readFileSync(caFile, "utf8")).toBe(pemM);
      expect((await ledgerRecord())?.cas).toEqual([fingerprint(managementCA())]);

      // Not used while Prepared: the file still trusts only A when the rotation has completed. kubectl has read
      // the file before it runs the plugin, so that run fails; but the plugin refreshed the file, and the next run works.
      writeFileSync(caFile, pemA);
      ageCheck(caFile);
      const stale = await kubectl(env(), file, "auth", "whoami");
      expect(stale.status).not.toBe(0);
      expect(stale.stderr).toContain("x509");
      expect(readFileSync(caFile, "utf8")).toBe(pemM);
      const healed = await kubectl(env(), file, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
      expect(healed.stdout, healed.stderr).toBe("alice@example.com");
    }, 120_000);
  });
});
