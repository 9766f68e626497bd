import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubernetesObjectApi, PatchStrategy, type V1ConfigMap } from "@kubernetes/client-node";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HelmChart } from "../src/reconcilers/addons/catalog/types.ts";
import { HelmError, HelmRunner } from "../src/reconcilers/addons/helm/index.ts";
import { serveChartRepository, type ChartSource, type ServedChartRepository } from "./helm-charts.ts";

/** A chart `hello` whose ConfigMap says `.Values.greeting` and which chart version rendered it. */
function helloChart(version: string, configMapTemplate: string = helloTemplate): ChartSource {
  return { name: "hello", version, appVersion: "1.0.0", values: { greeting: "hello from the chart" }, templates: { "configmap.yaml": configMapTemplate } };
}
const helloTemplate = [
  "apiVersion: v1",
  "kind: ConfigMap",
  "metadata:",
  "  name: {{ .Release.Name }}-greeting",
  "  namespace: {{ .Release.Namespace }}",
  "data:",
  "  greeting: {{ .Values.greeting | quote }}",
  "  chartVersion: {{ .Chart.Version | quote }}",
  "",
].join("\n");
// 0.3.0 leaves an action unclosed: helm fails while parsing, before it touches the cluster.
const brokenTemplate = helloTemplate.replace("{{ .Values.greeting | quote }}", "{{ .Values.greeting | quote }");

const namespace = "greetings";

describe("HelmRunner, running the real helm against a real kube-apiserver", () => {
  const tenant = useKubeAPI();
  let repository: ServedChartRepository;
  let workDir: string;
  let runner: HelmRunner;
  const savedDriver = process.env.HELM_DRIVER;

  beforeAll(async () => {
    repository = await serveChartRepository([helloChart("0.1.0"), helloChart("0.2.0"), helloChart("0.3.0", brokenTemplate)]);
    workDir = await mkdtemp(join(tmpdir(), "seedbed-helm-runner-"));
    runner = new HelmRunner({ workDir });
    // Were the operator's environment to reach helm, releases would live in its memory and vanish with each process.
    process.env.HELM_DRIVER = "memory";
  }, 60_000);

  afterAll(async () => {
    if (savedDriver === undefined) delete process.env.HELM_DRIVER;
    else process.env.HELM_DRIVER = savedDriver;
    await repository.close();
    await rm(workDir, { recursive: true, force: true });
  });

  const hello = (version: string, values: Record<string, unknown>): HelmChart => ({ source: "Helm", repository: repository.url, chart: "hello", version, release: "hello", namespace, values });
  const readGreeting = async (): Promise<V1ConfigMap["data"] | "absent"> => {
    try {
      return (await tenant().kubeConfig().makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace, name: "hello-greeting" })).data;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return "absent";
      throw error;
    }
  };
  // Only helm's homes stay: each call's kubeconfig and values go with it.
  const leftInWorkDir = async (): Promise<string[]> => (await readdir(workDir)).sort();

  it("installs a release that does not exist, with the given values, into a namespace it creates", async () => {
    expect(await runner.status(tenant().kubeconfig, "hello", namespace)).toBeUndefined();
    const installed = await runner.upgradeInstall(tenant().kubeconfig, hello("0.1.0", { greeting: "hi, tenant" }));
    expect(installed).toEqual({ revision: 1, status: "deployed", chartVersion: "0.1.0", appVersion: "1.0.0" });
    expect(await readGreeting()).toEqual({ greeting: "hi, tenant", chartVersion: "0.1.0" });
    expect(repository.requests).toEqual(expect.arrayContaining(["/index.yaml", "/hello-0.1.0.tgz"]));
    expect(await runner.status(tenant().kubeconfig, "hello", namespace)).toEqual(installed);
    // helm's default storage: a Secret in the release's namespace.
    const secrets = await tenant().kubeConfig().makeApiClient(CoreV1Api).listNamespacedSecret({ namespace, labelSelector: "owner=helm,name=hello" });
    expect(secrets.items.map((s) => s.metadata?.name)).toEqual(["sh.helm.release.v1.hello.v1"]);
    expect(await leftInWorkDir()).toEqual(["cache", "config", "data"]);
  });

  it("removes what the calls of an operator killed mid-call left (their kubeconfigs) before its first call", async () => {
    const dir = await mkdtemp(join(tmpdir(), "seedbed-helm-runner-"));
    try {
      await mkdir(join(dir, "call-killed"), { recursive: true });
      await writeFile(join(dir, "call-killed", "kubeconfig"), "left by a killed operator");
      await new HelmRunner({ workDir: dir }).status(tenant().kubeconfig, "hello", namespace);
      expect((await readdir(dir)).sort()).toEqual(["cache", "config", "data"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("upgrades when only the values change, to exactly the new values", async () => {
    const upgraded = await runner.upgradeInstall(tenant().kubeconfig, hello("0.1.0", { greeting: "hello again" }));
    expect(upgraded).toMatchObject({ revision: 2, status: "deployed", chartVersion: "0.1.0" });
    expect(await readGreeting()).toEqual({ greeting: "hello again", chartVersion: "0.1.0" });
    // No values at all: the chart's defaults, not the last release's values.
    const defaults = await runner.upgradeInstall(tenant().kubeconfig, hello("0.1.0", {}));
    expect(defaults.revision).toBe(3);
    expect(await readGreeting()).toEqual({ greeting: "hello from the chart", chartVersion: "0.1.0" });
  });

  it("applies server-side, taking back a field another manager changed", async () => {
    const core = tenant().kubeConfig().makeApiClient(CoreV1Api);
    const managers = (await core.readNamespacedConfigMap({ namespace, name: "hello-greeting" })).metadata?.managedFields?.map((f) => `${f.manager ?? ""}/${f.operation ?? ""}`);
    expect(managers).toContain("helm/Apply");
    // Someone else claims the greeting, as `kubectl apply --server-side --force-conflicts` would.
    const objects = KubernetesObjectApi.makeApiClient(tenant().kubeConfig());
    const intruder = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "hello-greeting", namespace }, data: { greeting: "changed by hand" } };
    await objects.patch(intruder, undefined, undefined, "intruder", true, PatchStrategy.ServerSideApply);
    expect(await readGreeting()).toMatchObject({ greeting: "changed by hand" });
    const again = await runner.upgradeInstall(tenant().kubeconfig, hello("0.1.0", {}));
    expect(again.revision).toBe(4);
    expect(await readGreeting()).toEqual({ greeting: "hello from the chart", chartVersion: "0.1.0" });
  });

  it("upgrades to another chart version", async () => {
    const upgraded = await runner.upgradeInstall(tenant().kubeconfig, hello("0.2.0", { greeting: "hello again" }));
    expect(upgraded).toEqual({ revision: 5, status: "deployed", chartVersion: "0.2.0", appVersion: "1.0.0" });
    expect(await readGreeting()).toEqual({ greeting: "hello again", chartVersion: "0.2.0" });
  });

  it("fails with helm's parse error on a broken chart, leaving the release as it was", async () => {
    const error = await runner.upgradeInstall(tenant().kubeconfig, hello("0.3.0", { greeting: "a secret greeting" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HelmError);
    expect(error).toMatchObject({ command: "upgrade", exitCode: 1, timedOut: false });
    const message = (error as HelmError).message;
    expect(message).toMatch(/parse error at \(hello\/templates\/configmap\.yaml:7\)/);
    expect(message).not.toContain(workDir);
    expect(message).not.toContain("a secret greeting");
    expect(await runner.status(tenant().kubeconfig, "hello", namespace)).toMatchObject({ revision: 5, status: "deployed", chartVersion: "0.2.0" });
    expect(await readGreeting()).toEqual({ greeting: "hello again", chartVersion: "0.2.0" });
    expect(await leftInWorkDir()).toEqual(["cache", "config", "data"]);
  });

  it("fails naming a repository that cannot be reached", async () => {
    const closed = await closedPortURL();
    const error = await runner.upgradeInstall(tenant().kubeconfig, { ...hello("0.1.0", {}), repository: closed }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HelmError);
    expect(error).toMatchObject({ command: "upgrade" });
    expect((error as HelmError).message).toContain(closed);
    expect((error as HelmError).message).toMatch(/connection refused/);
  });

  it("fails naming a chart version the repository does not have", async () => {
    const error = await runner.upgradeInstall(tenant().kubeconfig, hello("9.9.9", {})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HelmError);
    expect((error as HelmError).message).toMatch(/hello.*9\.9\.9/);
  });

  it("runs calls side by side over the one shared repository cache", async () => {
    const releases = ["side-a", "side-b", "side-c"].map((release, i) => ({ ...hello(i === 0 ? "0.1.0" : "0.2.0", { greeting: release }), release, namespace: release }));
    const installed = await Promise.all(releases.map(async (chart) => runner.upgradeInstall(tenant().kubeconfig, chart)));
    expect(installed.map((r) => `${r.revision}/${r.status}/${r.chartVersion}`)).toEqual(["1/deployed/0.1.0", "1/deployed/0.2.0", "1/deployed/0.2.0"]);
    await Promise.all(releases.map(async (chart) => runner.uninstall(tenant().kubeconfig, chart.release, chart.namespace)));
    expect(await Promise.all(releases.map(async (chart) => runner.status(tenant().kubeconfig, chart.release, chart.namespace)))).toEqual([undefined, undefined, undefined]);
    expect(await leftInWorkDir()).toEqual(["cache", "config", "data"]);
  });

  it("uninstalls, and counts a release that is not there as uninstalled", async () => {
    await runner.uninstall(tenant().kubeconfig, "hello", namespace);
    expect(await readGreeting()).toBe("absent");
    expect(await runner.status(tenant().kubeconfig, "hello", namespace)).toBeUndefined();
    await runner.uninstall(tenant().kubeconfig, "hello", namespace);
    await runner.uninstall(tenant().kubeconfig, "hello", "no-such-namespace");
    expect(await leftInWorkDir()).toEqual(["cache", "config", "data"]);
  });

  it("reports a cluster it cannot reach as a HelmError of the call, without the kubeconfig's path", async () => {
    const unreachable = tenant().kubeconfig.replace(tenant().server, await closedPortURL("https"));
    const error = await runner.status(unreachable, "hello", namespace).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HelmError);
    expect(error).toMatchObject({ command: "status" });
    expect((error as HelmError).message).not.toContain(workDir);
    // A kubeconfig helm cannot even read: it names the file, which the message calls <kubeconfig>.
    const unreadable = await runner.status("clusters: [not a kubeconfig", "hello", namespace).catch((e: unknown) => e);
    expect(unreadable).toBeInstanceOf(HelmError);
    expect((unreadable as HelmError).message).toContain("<kubeconfig>");
    expect((unreadable as HelmError).message).not.toContain(workDir);
    expect(await leftInWorkDir()).toEqual(["cache", "config", "data"]);
  });

  describe("when helm hangs on a repository that never answers", () => {
    let silent: Server;
    let silentURL: string;
    let connectionsOpened = 0;
    let connectionsClosed = 0;
    beforeAll(async () => {
      silent = createServer(() => {
        // Never answers.
      });
      silent.on("connection", (socket) => {
        connectionsOpened += 1;
        socket.once("close", () => (connectionsClosed += 1));
      });
      silentURL = `http://127.0.0.1:${await listen(silent)}`;
    });
    afterAll(async () => {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it("kills helm when the call is aborted, and rejects with the abort's reason", async () => {
      const [opened, before] = [connectionsOpened, connectionsClosed];
      const controller = new AbortController();
      const call = runner.upgradeInstall(tenant().kubeconfig, { ...hello("0.1.0", {}), repository: silentURL }, controller.signal);
      await waitFor(() => connectionsOpened > opened, "helm to connect to the silent repository");
      const began = Date.now();
      controller.abort(new Error("reconcile cancelled"));
      await expect(call).rejects.toThrow("reconcile cancelled");
      // The process is gone: its connection is closed, well within the grace period before SIGKILL.
      await waitFor(() => connectionsClosed > before, "helm's connection to close");
      expect(Date.now() - began).toBeLessThan(5000);
      expect(await leftInWorkDir()).toEqual(["cache", "config", "data"]);
    });

    it("kills helm after the runner's time limit, with a HelmError that says so", async () => {
      const hurried = new HelmRunner({ workDir, timeoutMs: 1500 });
      const began = Date.now();
      const error = await hurried.upgradeInstall(tenant().kubeconfig, { ...hello("0.1.0", {}), repository: silentURL }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HelmError);
      expect(error).toMatchObject({ command: "upgrade", timedOut: true });
      expect((error as HelmError).message).toMatch(/timed out after 1.5 s/);
      expect(Date.now() - began).toBeLessThan(10_000);
      expect(await leftInWorkDir()).toEqual(["cache", "config", "data"]);
    });
  });
});

/** A URL on loopback where nothing listens: a port just given up by a server of ours. */
async function closedPortURL(scheme = "http"): Promise<string> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `${scheme}://127.0.0.1:${port}`;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

async function waitFor(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
