import type { Addon, AddonStatus, Cluster } from "@seedbed/api";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CliError, ExitCode } from "../../errors.ts";
import { program } from "../../program.ts";
import { addonNameArgument, enableRequestOf, type EnableAddonOptions } from "./commands.ts";
import { chartFlags, enabledEntry, withValues } from "./edit.ts";
import { addonLines, addonRows, oneLine } from "./table.ts";
import { parseValues } from "./values.ts";
import { usageError } from "../../../test/usage-error.ts";

const chart = { repository: "oci://ghcr.io/team/charts", chart: "podinfo", version: "6.9.0", namespace: "apps" };
const podinfo: Addon = { name: "podinfo", enabled: true, helm: chart };

/** The arguments and options `seedbed addon <sub>` parses from `args`, its action replaced. */
function parse(sub: string, args: string[]): { args: string[]; options: EnableAddonOptions & { output?: string } } {
  const root = program();
  const command = root.commands.find((c) => c.name() === "addon")?.commands.find((c) => c.name() === sub);
  command?.action(() => undefined);
  command?.configureOutput({ writeErr: () => undefined });
  root.parse(["addon", sub, ...args], { from: "user" });
  return { args: command?.args ?? [], options: command?.opts() as EnableAddonOptions };
}

/** The CliError `call` throws. */
function cliError(call: () => unknown): CliError {
  try {
    call();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error("no error thrown");
}

function cluster(addons?: Addon[], statuses?: AddonStatus[]): Cluster {
  return {
    apiVersion: "seedbed.dev/v1alpha1",
    kind: "Cluster",
    metadata: { name: "web", namespace: "project-a", resourceVersion: "7" },
    spec: addons === undefined ? {} : { addons },
    ...(statuses === undefined ? {} : { status: { addons: statuses } }),
  } as Cluster;
}

describe("seedbed addon's command line", () => {
  it("takes the cluster and the add-on as arguments, and the project like the other cluster commands", () => {
    const enable = parse("enable", ["web", "podinfo", "-p", "a", "--chart", "oci://ghcr.io/team/charts/podinfo", "--version", "6.9.0", "--namespace", "apps"]);
    expect(enable.args).toEqual(["web", "podinfo"]);
    expect(enable.options).toMatchObject({ project: "a", chart: "oci://ghcr.io/team/charts/podinfo", version: "6.9.0", namespace: "apps" });
    expect(enableRequestOf(enable.options)).toEqual({ chart: { repository: "oci://ghcr.io/team/charts", chart: "podinfo" }, version: "6.9.0", namespace: "apps" });
    expect(parse("enable", ["web", "podinfo", "--ca-file", "/etc/ca.crt"]).options).toMatchObject({ caFile: "/etc/ca.crt" });
    expect(parse("list", ["web", "--project", "b", "-o", "yaml"]).options).toMatchObject({ project: "b", output: "yaml" });
    expect(parse("disable", ["web", "coredns"]).args).toEqual(["web", "coredns"]);
  });

  it("needs --values for set-values, and both arguments everywhere", () => {
    expect(usageError(() => parse("set-values", ["web", "podinfo"])).message).toMatch(/required option '--values <file>' not specified/);
    expect(usageError(() => parse("enable", ["web"])).message).toMatch(/missing required argument 'name'/);
  });

  it.each(["Bad_Name", "-x", "x".repeat(64)])("refuses an add-on name that is no DNS-1123 label: %s", (name) => {
    expect(usageError(() => addonNameArgument(name)).message).toMatch(/^NAME must be an add-on's name/);
  });
});

describe("--chart and --repo", () => {
  it.each([
    { chart: "oci://ghcr.io/team/charts/podinfo", repo: undefined, want: { repository: "oci://ghcr.io/team/charts", chart: "podinfo" } },
    { chart: "https://charts.example.com/podinfo/", repo: undefined, want: { repository: "https://charts.example.com", chart: "podinfo" } },
    { chart: "podinfo", repo: "https://stefanprodan.github.io/podinfo/", want: { repository: "https://stefanprodan.github.io/podinfo", chart: "podinfo" } },
    { chart: "podinfo", repo: "oci://ghcr.io/stefanprodan/charts", want: { repository: "oci://ghcr.io/stefanprodan/charts", chart: "podinfo" } },
    { chart: undefined, repo: undefined, want: undefined },
  ])("--chart $chart --repo $repo → $want", ({ chart: name, repo, want }) => {
    expect(chartFlags(name, repo)).toEqual(want);
  });

  it.each([
    { chart: "bitnami/nginx", repo: undefined, message: /^--chart must be a chart's address, .*a helm repo alias such as bitnami\/nginx/ },
    { chart: "oci://ghcr.io", repo: undefined, message: /^--chart must be a chart's address/ },
    { chart: "nginx", repo: "charts.example.com", message: /^--repo must be a chart repository URL/ },
    { chart: "team/nginx", repo: "https://charts.example.com", message: /^with --repo, --chart is the chart's name/ },
    { chart: undefined, repo: "https://charts.example.com", message: /^--repo needs --chart/ },
  ])("refuses --chart $chart --repo $repo, saying which form it takes", ({ chart: name, repo, message }) => {
    expect(usageError(() => chartFlags(name, repo)).message).toMatch(message);
  });
});

describe("the entry addon enable writes", () => {
  it("turns a built-in add-on on, keeping nothing but its name", () => {
    expect(enabledEntry("metrics-server", undefined, undefined, {}, "web")).toEqual({ name: "metrics-server", enabled: true });
    expect(enabledEntry("coredns", { name: "coredns", enabled: false }, undefined, {}, "web")).toEqual({ name: "coredns", enabled: true });
  });

  it("installs a new chart at --version, in the default namespace unless --namespace says", () => {
    const request = { chart: { repository: chart.repository, chart: "podinfo" }, version: "6.9.0" };
    expect(enabledEntry("podinfo", undefined, undefined, request, "web")).toEqual({ name: "podinfo", enabled: true, helm: { ...chart, namespace: "default" } });
  });

  it("keeps the namespace and values of the same chart, and takes the version when none is given", () => {
    const own = { ...podinfo, enabled: false, helm: { ...chart, values: { replicaCount: 2 } } };
    expect(enabledEntry("podinfo", own, undefined, { chart: { repository: chart.repository, chart: "podinfo" } }, "web")).toEqual({ ...own, enabled: true });
    expect(enabledEntry("podinfo", own, undefined, { version: "6.10.0" }, "web").helm).toEqual({ ...chart, version: "6.10.0", values: { replicaCount: 2 } });
  });

  it("drops the values of another chart when the chart changes", () => {
    const own = { ...podinfo, helm: { ...chart, values: { replicaCount: 2 } } };
    const other = enabledEntry("podinfo", own, undefined, { chart: { repository: "https://charts.example.com", chart: "podinfo" }, version: "1.0.0" }, "web");
    expect(other.helm).toEqual({ repository: "https://charts.example.com", chart: "podinfo", version: "1.0.0", namespace: "apps" });
  });

  it("keeps the CA bundle of the same chart, takes a new one from --ca-file, and drops it with another chart", () => {
    const own = { ...podinfo, helm: { ...chart, caBundle: "old CA" } };
    expect(enabledEntry("podinfo", own, undefined, { version: "6.10.0" }, "web").helm?.caBundle).toBe("old CA");
    expect(enabledEntry("podinfo", own, undefined, { caBundle: "new CA" }, "web").helm).toEqual({ ...chart, caBundle: "new CA" });
    expect(enabledEntry("podinfo", own, undefined, { chart: { repository: "https://charts.example.com", chart: "podinfo" }, version: "1.0.0" }, "web").helm?.caBundle).toBeUndefined();
  });

  it("turns on a chart its template lists, copying the template's chart", () => {
    expect(enabledEntry("podinfo", undefined, podinfo, {}, "web")).toEqual(podinfo);
  });

  it("asks for --version with a new chart, and a chart for --version, --namespace, --values or --ca-file", () => {
    expect(usageError(() => enabledEntry("podinfo", undefined, undefined, { chart: { repository: chart.repository, chart: "podinfo" } }, "web")).message).toBe("--version is required with --chart: the chart's version to install, e.g. --version 6.9.0");
    expect(usageError(() => enabledEntry("dashboard", undefined, undefined, { values: {} }, "web")).message).toBe("add-on dashboard of cluster web has no Helm chart: --version, --namespace, --values and --ca-file go with one (--chart)");
  });
});

describe("what addon set-values writes", () => {
  it("replaces the Helm add-on's values, as enabled as it was", () => {
    const own = { ...podinfo, enabled: false, helm: { ...chart, values: { old: true } } };
    expect(withValues("podinfo", own, undefined, { replicaCount: 3 }, "web")).toEqual({ ...own, helm: { ...chart, values: { replicaCount: 3 } } });
  });

  it("copies a template's chart into the cluster with the values", () => {
    expect(withValues("podinfo", undefined, podinfo, { a: 1 }, "web")).toEqual({ ...podinfo, helm: { ...chart, values: { a: 1 } } });
  });

  it("refuses a built-in add-on (no chart) and an add-on the cluster does not have", () => {
    const builtin = cliError(() => withValues("coredns", { name: "coredns", enabled: true }, undefined, {}, "web"));
    expect([builtin.exitCode, builtin.message]).toEqual([ExitCode.invalid, "add-on coredns of cluster web is a built-in one, without a Helm chart; values go to Helm add-ons: seedbed addon enable web coredns --chart URL/CHART --version V --values FILE"]);
    expect(cliError(() => withValues("grafana", undefined, undefined, {}, "web")).exitCode).toBe(ExitCode.notFound);
  });
});


describe("--values", () => {
  it("takes YAML or JSON mappings; an empty file is no values", () => {
    expect(parseValues("replicaCount: 2\nimage:\n  tag: v1\n", "v.yaml")).toEqual({ replicaCount: 2, image: { tag: "v1" } });
    expect(parseValues('{"replicaCount": 2}', "v.json")).toEqual({ replicaCount: 2 });
    expect(parseValues("", "empty.yaml")).toEqual({});
  });

  it("refuses what is no mapping", () => {
    expect(usageError(() => parseValues("- a\n- b\n", "v.yaml")).message).toBe("--values v.yaml must hold a mapping of values (key: value), got a list");
    expect(usageError(() => parseValues("42", "v.yaml")).message).toBe("--values v.yaml must hold a mapping of values (key: value), got a number");
  });

  it("says where a file fails to parse without repeating its text, which may hold secrets", () => {
    const message = usageError(() => parseValues('password: "hunter2\nother: [', "secret.yaml")).message;
    expect(message).toMatch(/^--values secret\.yaml is neither YAML nor JSON \([A-Z_]+ at line \d+, column \d+\)$/);
    expect(message).not.toContain("hunter2");
  });
});

describe("--ca-file", () => {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-ca-file-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("puts the file's PEM into the chart's caBundle", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    writeFileSync(join(dir, "ca.crt"), pem);
    expect(enableRequestOf({ chart: "oci://registry.example.com/charts/podinfo", version: "6.9.0", caFile: join(dir, "ca.crt") }).caBundle).toBe(pem);
  });

  it("refuses a file that holds no PEM certificate, and one that is not there, naming the flag", () => {
    writeFileSync(join(dir, "key.pem"), "-----BEGIN PRIVATE KEY-----\n");
    expect(usageError(() => enableRequestOf({ caFile: join(dir, "key.pem") })).message).toBe(`--ca-file ${join(dir, "key.pem")} holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the CA's certificate, e.g. the registry CA's ca.crt`);
    expect(usageError(() => enableRequestOf({ caFile: join(dir, "missing.crt") })).message).toBe(`cannot read --ca-file ${join(dir, "missing.crt")}: no such file`);
  });
});

describe("seedbed addon list's table", () => {
  it("shows what is installed and what is asked for but not yet, by name", () => {
    const lines = addonLines(cluster(
      [podinfo, { name: "metrics-server", enabled: true }, { name: "dashboard", enabled: false }],
      [
        { name: "coredns", source: "BuiltIn", version: "1.15.0", ready: true, phase: "Installed" },
        { name: "podinfo", source: "Helm", version: "6.8.0", ready: false, phase: "Failed", message: "helm: chart \"podinfo\" version \"6.9.0\" not found\nmore detail" },
      ],
    ));
    expect(addonRows(lines)).toEqual([
      ["coredns", "BuiltIn", "1.15.0", "Installed", "True", ""],
      ["dashboard", "BuiltIn", "", "Disabled", "-", ""],
      ["metrics-server", "BuiltIn", "", "Pending", "False", "not installed yet"],
      ["podinfo", "Helm", "6.8.0", "Failed", "False", 'helm: chart "podinfo" version "6.9.0" not found'],
    ]);
    expect(lines.find((l) => l.name === "podinfo")).toMatchObject({ spec: podinfo, status: { phase: "Failed" } });
  });

  it("shows a pending chart's version from the spec, and has no lines without add-ons", () => {
    expect(addonRows(addonLines(cluster([podinfo])))).toEqual([["podinfo", "Helm", "6.9.0", "Pending", "False", "not installed yet"]]);
    expect(addonLines(cluster())).toEqual([]);
  });

  it("cuts a long message to one line", () => {
    expect(oneLine(`${"x".repeat(150)}\nnext`, 100)).toBe(`${"x".repeat(99)}…`);
  });
});
