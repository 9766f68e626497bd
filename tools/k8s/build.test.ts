import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const script = new URL("./build.sh", import.meta.url).pathname;

describe("tools/k8s/build.sh", () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "seedbed-build-test-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the script with only the given directory (and node's) on PATH. */
  function run(pathDirs: string[], target: string, extraEnv: Record<string, string> = {}): { status: number | null; stderr: string } {
    const binDir = tempDir();
    const result = spawnSync("bash", [script, target], {
      encoding: "utf8",
      env: {
        PATH: [...pathDirs, join(process.execPath, ".."), "/usr/bin", "/bin"].join(":"),
        HOME: tempDir(),
        SEEDBED_BIN_DIR: binDir,
        SEEDBED_BUILD_DIR: tempDir(),
        ...extraEnv,
      },
    });
    return { status: result.status, stderr: result.stderr };
  }

  it("says what to install when Go is missing", () => {
    const result = run([], "kwok", { GO: "/nonexistent/bin/go" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/Go is not installed, and it is needed to build kwok v[\d.]+\. Install Go 1\.26 or newer/);
  });

  it("says which Go is needed when the one on PATH is too old", () => {
    const fake = tempDir();
    const mod = join(fake, "kwok.mod");
    writeFileSync(mod, "module sigs.k8s.io/kwok\n\ngo 1.26.0\n");
    // A go that claims to be 1.22 and serves the module's go.mod from the cache.
    writeFileSync(
      join(fake, "go"),
      `#!/usr/bin/env bash
case "$1 $2" in
  "env GOVERSION") echo go1.22.5 ;;
  "env GOPROXY") echo https://proxy.golang.org ;;
  "mod download") printf '{"GoMod": "%s"}\\n' "${mod}" ;;
  *) echo "unexpected: $*" >&2; exit 3 ;;
esac
`,
    );
    chmodSync(join(fake, "go"), 0o755);
    const result = run([], "kwok", { GO: join(fake, "go") });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("kwok v");
    expect(result.stderr).toContain("needs Go 1.26.0 or newer, but 'go' on PATH is 1.22.5");
  });

  it("rejects an unknown binary by name", () => {
    const result = run([], "kube-proxy");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("unknown binary 'kube-proxy' (one of: kubernetes etcd kwok helm versitygw distribution node pause coredns netpol)");
  });
});
