import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAgentArgs } from "./args.ts";

const dir = mkdtempSync(join(tmpdir(), "agent-args-"));
const file = join(dir, "kubeconfig");
writeFileSync(file, "apiVersion: v1\n");
const base = ["--management-kubeconfig", file, "--tenant-kubeconfig", file, "--namespace", "team-a", "--cluster", "prod"];

describe("parseAgentArgs", () => {
  it("reads every flag, the marker included", () => {
    expect(parseAgentArgs([...base, "--marker", "seedbed-agent:team-a/prod"])).toEqual({
      managementKubeConfig: file,
      tenantKubeConfig: file,
      namespace: "team-a",
      cluster: "prod",
      marker: "seedbed-agent:team-a/prod",
      logLevel: "info",
    });
  });

  it.each([
    [["--namespace", "a", "--cluster", "b", "--tenant-kubeconfig", file], "--management-kubeconfig is required"],
    [[...base.slice(0, 6)], "--cluster is required"],
    [[...base, "--unknown", "x"], "Unknown option '--unknown'"],
    [[...base, "extra"], "unexpected argument extra"],
    [[...base, "--log-level", "loud"], "--log-level must be one of"],
    [["--management-kubeconfig", join(dir, "missing"), ...base.slice(2)], "cannot be read"],
  ])("refuses %j", (argv, message) => {
    expect(() => parseAgentArgs(argv)).toThrow(message);
  });
});
