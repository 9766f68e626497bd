import { describe, expect, it } from "vitest";
import { parseTokenArgs, tokenTargetArgs } from "./target.ts";

describe("the arguments of `seedbed token`", () => {
  it("are none for the kubeconfigs of `seedbed login` and `seedbed up`", () => {
    expect(parseTokenArgs([])).toBeUndefined();
  });

  it("name the project, cluster and CA file, as flags and values or with =, and round-trip", () => {
    const target = { project: "a", cluster: "web", caFile: "/home/u/.seedbed/cluster-cas/p/a/web/ca.crt" };
    expect(parseTokenArgs(tokenTargetArgs(target))).toEqual(target);
    expect(parseTokenArgs(["--project=a", "--cluster=web", `--ca-file=${target.caFile}`])).toEqual(target);
  });

  it.each([
    { args: ["--project", "a"], message: "--project, --cluster and --ca-file go together" },
    { args: ["--project", "a", "--cluster", "web", "--ca-file"], message: "--ca-file needs a value" },
    { args: ["--verbose"], message: 'unknown argument "--verbose"' },
    { args: ["constructor", "x"], message: 'unknown argument "constructor"' },
    { args: ["--project", "../etc", "--cluster", "web", "--ca-file", "/x"], message: '--project must be a name (lowercase letters, digits and \'-\'), got "../etc"' },
    { args: ["--project", "a", "--cluster", "Web", "--ca-file", "/x"], message: '--cluster must be a name' },
    { args: ["--project", "a", "--cluster", "web", "--ca-file", "ca.crt"], message: '--ca-file must be an absolute path, got "ca.crt"' },
  ])("refuse $args (exit 2): $message", ({ args, message }) => {
    expect(() => parseTokenArgs(args)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining(message) as string }) as Error);
  });
});
