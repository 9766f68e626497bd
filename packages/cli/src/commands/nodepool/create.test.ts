import { describe, expect, it } from "vitest";
import { program } from "../../program.ts";
import type { CreateNodePoolOptions } from "./commands.ts";
import { newNodePool, providerFlag } from "./pools-api.ts";
import { usageError } from "../../../test/usage-error.ts";

/** The options `seedbed nodepool create` parses from `args`, its action replaced. */
function parse(args: string[]): CreateNodePoolOptions {
  const root = program();
  const create = root.commands.find((c) => c.name() === "nodepool")?.commands.find((c) => c.name() === "create");
  create?.action(() => undefined);
  root.parse(["nodepool", "create", "workers", "--cluster", "c", ...args], { from: "user" });
  return create?.opts() as CreateNodePoolOptions;
}

describe("seedbed nodepool create --provider", () => {
  it.each([
    { args: [], spec: { clusterName: "c", replicas: 2, machineTemplate: {} } },
    { args: ["--provider", "kwok"], spec: { clusterName: "c", replicas: 2, provider: { type: "kwok" }, machineTemplate: {} } },
    { args: ["--provider", "local"], spec: { clusterName: "c", replicas: 2, provider: { type: "local" }, machineTemplate: {} } },
    { args: ["--provider=local", "--cpu", "1"], spec: { clusterName: "c", replicas: 2, provider: { type: "local" }, machineTemplate: { cpu: "1" } } },
  ])("$args → $spec", ({ args, spec }) => {
    const options = parse(args);
    const pool = newNodePool("project-default", "workers", options.cluster, { replicas: 2, cpu: options.cpu, provider: providerFlag(options.provider) });
    expect(pool.spec).toEqual(spec);
  });

  it("refuses an unknown provider, naming the choices", () => {
    expect(usageError(() => providerFlag("gce")).message).toBe('--provider must be one of kwok, local (openstack and aws pools are applied as manifests), got "gce"');
  });

  it.each(["openstack", "aws"])("sends %s pools to a manifest, naming the fields it needs", (cloud) => {
    expect(usageError(() => providerFlag(cloud)).message).toMatch(new RegExp(`--provider ${cloud} needs .* spec\\.provider\\.${cloud} and spec\\.provider\\.credentialsSecretRef`));
  });
});
