import { describe, expect, it } from "vitest";
import { CliError, ExitCode } from "../../errors.ts";
import { program } from "../../program.ts";
import { clusterSpecOf, type CreateClusterOptions } from "./create.ts";

/** The options `seedbed cluster create` parses from `args`, its action replaced. */
function parse(args: string[]): CreateClusterOptions {
  const root = program();
  const create = root.commands.find((c) => c.name() === "cluster")?.commands.find((c) => c.name() === "create");
  create?.action(() => undefined);
  // The help shown after a usage error is for people, not for the test output.
  create?.configureOutput({ writeErr: () => undefined });
  root.parse(["cluster", "create", "web", ...args], { from: "user" });
  return create?.opts() as CreateClusterOptions;
}

describe("seedbed cluster create's spec", () => {
  it.each([
    { args: [], spec: {} },
    { args: ["--version", "1.37"], spec: { version: "1.37" } },
    { args: ["--seed", "eu-1"], spec: { seed: "eu-1" } },
    { args: ["--region", "eu"], spec: { seedSelector: { region: "eu" } } },
    { args: ["--template", "small", "--region=eu"], spec: { template: "small", seedSelector: { region: "eu" } } },
  ])("$args → $spec", ({ args, spec }) => {
    expect(clusterSpecOf(parse(args))).toEqual(spec);
  });

  it("refuses --seed with --region as a usage error naming both", () => {
    const call = (): unknown => parse(["--seed", "eu-1", "--region", "eu"]);
    expect(call).toThrow(CliError);
    expect(call).toThrow(/option '--region <region>' cannot be used with option '--seed <name>'/);
    expect(() => clusterSpecOf({ seed: "eu-1", region: "eu" })).toThrow(/--seed and --region cannot be used together/);
    try {
      call();
    } catch (error) {
      expect((error as CliError).exitCode).toBe(ExitCode.usage);
    }
  });
});
