import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HelmChart } from "../src/reconcilers/addons/catalog/types.ts";
import { HelmError, HelmRunner } from "../src/reconcilers/addons/helm/index.ts";
import { valuesConfigMapChart } from "./helm-charts.ts";
import { serveOCIRegistry, type ServedOCIRegistry } from "./oci-registry.ts";

const namespace = "from-oci";

describe("Helm add-ons from an OCI registry with a private CA, with the real helm, a real registry and a real kube-apiserver", () => {
  const tenant = useKubeAPI();
  let registry: ServedOCIRegistry;
  let workDir: string;
  let runner: HelmRunner;

  beforeAll(async () => {
    registry = await serveOCIRegistry([valuesConfigMapChart("hello", "0.1.0"), valuesConfigMapChart("hello", "0.2.0")]);
    workDir = await mkdtemp(join(tmpdir(), "seedbed-helm-oci-"));
    runner = new HelmRunner({ workDir });
  }, 120_000);

  afterAll(async () => {
    await registry.close();
    await rm(workDir, { recursive: true, force: true });
  });

  const hello = (version: string, caBundle: string | undefined): HelmChart => ({ source: "Helm", repository: registry.repository, chart: "hello", version, release: "hello", namespace, values: { greeting: version }, ...(caBundle === undefined ? {} : { caBundle }) });
  const rendered = async (): Promise<Record<string, string> | undefined> => {
    const configMaps = await tenant().kubeConfig().makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace, fieldSelector: "metadata.name=hello-values" });
    return configMaps.items[0]?.data;
  };

  it("refuses a registry whose CA it was not given, with helm's TLS error and nothing installed", async () => {
    const error = await runner.upgradeInstall(tenant().kubeconfig, hello("0.1.0", undefined)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HelmError);
    expect((error as HelmError).message).toMatch(/certificate signed by unknown authority/);
    expect(await runner.status(tenant().kubeconfig, "hello", namespace)).toBeUndefined();
  });

  it("installs and upgrades from oci:// when the add-on carries the registry's CA, leaving no CA file behind", async () => {
    expect(await runner.upgradeInstall(tenant().kubeconfig, hello("0.1.0", registry.caBundle))).toMatchObject({ revision: 1, status: "deployed", chartVersion: "0.1.0" });
    expect(await rendered()).toEqual({ chartVersion: "0.1.0", "values.json": JSON.stringify({ greeting: "0.1.0" }) });
    expect(await runner.upgradeInstall(tenant().kubeconfig, hello("0.2.0", registry.caBundle))).toMatchObject({ revision: 2, status: "deployed", chartVersion: "0.2.0" });
    expect(await rendered()).toEqual({ chartVersion: "0.2.0", "values.json": JSON.stringify({ greeting: "0.2.0" }) });
    // Only helm's homes stay: each call's kubeconfig, values and CA bundle go with it.
    expect((await readdir(workDir)).sort()).toEqual(["cache", "config", "data"]);
  });

  it("does not take a CA that did not sign the registry's certificate", async () => {
    const other = await serveOCIRegistry([]);
    try {
      const error = await runner.upgradeInstall(tenant().kubeconfig, hello("0.2.0", other.caBundle)).catch((e: unknown) => e);
      expect((error as HelmError).message).toMatch(/certificate signed by unknown authority/);
    } finally {
      await other.close();
    }
    expect(await runner.status(tenant().kubeconfig, "hello", namespace)).toMatchObject({ revision: 2, chartVersion: "0.2.0" });
  });
});
