// `seedbed cluster create --wait` until the cluster is Ready, on a platform
// started the way `make up` starts it (`seedbed up`, temporary
// $SEEDBED_HOME), beside the floor measured in the same run: the same etcd
// and kube-apiserver binaries with the flags the local driver renders,
// started by a plain script and waited on /readyz. Runs alternate (Seedbed,
// floor, Seedbed, …) so that a busy machine weighs on both alike; each
// Seedbed cluster is deleted before the next run.
// Run through main.ts (the local driver when --seed is absent).
// Usage: npm run bench -- create-ready [--runs 5] [--warmup 1] [--poll-ms 10]
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { reservePorts, type PortReservation } from "@seedbed/controlplane";
import { seedbedAsync, startPlatform, stopPlatform, type RunningPlatform } from "../../test/e2e/platform.ts";
import { median, pollUntilOK, preparePlainPlane } from "../lib/plain-plane.ts";
import { commandLineOf, flagDifferences, tenantProcesses } from "../lib/tenant-processes.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, warmup: { type: "string", default: "1" }, "poll-ms": { type: "string", default: "10" } } });
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const pollMs = Number(values["poll-ms"]);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`--warmup must be 0 or more, got ${values.warmup}`);
const log = (message: string): boolean => process.stderr.write(`[create-ready] ${message}\n`);

const home = mkdtempSync(join(tmpdir(), "seedbed-bench-create-"));
const port: PortReservation = await reservePorts(1);
const env = { SEEDBED_HOME: home, SEEDBED_API_PORT: String(port.ports[0]), SEEDBED_KUBECONFIG: join(home, "management.kubeconfig") };
let platform: RunningPlatform | undefined;
const floorDirs: string[] = [];
const cleanUp = async (): Promise<void> => {
  await stopPlatform(platform, home, port);
  for (const dir of floorDirs) rmSync(dir, { recursive: true, force: true });
};
// Ctrl-C must leave no platform, tenant or floor process behind.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

/** Times `seedbed cluster create NAME --wait`; returns the milliseconds, the tenant's authentication configuration and its etcd and kube-apiserver command lines. */
async function createReady(name: string): Promise<{ ms: number; authenticationConfig?: string; commandLines: Map<string, string[]> }> {
  const began = performance.now();
  const created = await seedbedAsync(env, "cluster", "create", name, "--wait");
  const ms = performance.now() - began;
  if (created.status !== 0) throw new Error(`seedbed cluster create ${name} --wait failed (${created.status}):\n${created.stdout}${created.stderr}`);
  const [tenant] = [...tenantProcesses(home).values()];
  const commandLines = new Map((tenant ?? []).map((p) => [p.component, commandLineOf(p.pid)]));
  const authFile = [...tenantProcesses(home).keys()].map((id) => join(home, "clusters", id, "pki", "authentication-config.yaml")).find((file) => existsSync(file));
  const authenticationConfig = authFile === undefined ? undefined : readFileSync(authFile, "utf8");
  const deleted = await seedbedAsync(env, "cluster", "delete", name, "--wait");
  if (deleted.status !== 0) throw new Error(`seedbed cluster delete ${name} --wait failed (${deleted.status}):\n${deleted.stderr}`);
  return { ms, authenticationConfig, commandLines };
}

/** Times the floor: etcd and kube-apiserver spawned by a plain script, until /readyz answers 200. */
async function floor(authenticationConfig: string | undefined): Promise<{ ms: number; commandLines: Map<string, string[]> }> {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-bench-floor-"));
  floorDirs.push(dir);
  const plane = await preparePlainPlane({ dir, controllers: false, authenticationConfig });
  try {
    const began = performance.now();
    await plane.start();
    await pollUntilOK(plane.readyzURL, plane.adminTLS, { intervalMs: pollMs, timeoutMs: 120_000 });
    const ms = performance.now() - began;
    return { ms, commandLines: new Map(plane.components.map((c) => [c.spec.name, [c.spec.command, ...c.spec.args]])) };
  } finally {
    await plane.stop();
  }
}

/** Times a CLI command that does one request: the cost of starting the CLI, part of every create. */
async function cliRoundTrip(): Promise<number> {
  const began = performance.now();
  await seedbedAsync(env, "cluster", "list");
  return performance.now() - began;
}

try {
  platform = await startPlatform(env);
  log(`platform up in ${home}; ${warmup} warm-up and ${runs} measured runs`);
  const seedbedMs: number[] = [];
  const floorMs: number[] = [];
  const cliMs: number[] = [];
  let differences: string[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const seedbed = await createReady(`r${i}`);
    const plain = await floor(seedbed.authenticationConfig);
    const cli = await cliRoundTrip();
    differences = ["etcd", "kube-apiserver"].flatMap((c) => flagDifferences(c, seedbed.commandLines.get(c) ?? [], plain.commandLines.get(c) ?? []));
    const kind = i < warmup ? "warm-up" : `run ${i - warmup + 1}/${runs}`;
    log(`${kind}: seedbed ${Math.round(seedbed.ms)} ms, floor ${Math.round(plain.ms)} ms, CLI round trip ${Math.round(cli)} ms`);
    if (i < warmup) continue;
    seedbedMs.push(Math.round(seedbed.ms));
    floorMs.push(Math.round(plain.ms));
    cliMs.push(Math.round(cli));
  }
  if (differences.length > 0) log(`the floor's flags differ from the platform's: ${differences.join("; ")}`);
  const medianMs = median(seedbedMs);
  const floorMedianMs = median(floorMs);
  console.log(
    JSON.stringify({
      benchmark: "create-ready",
      runs,
      medianMs,
      floorMs: floorMedianMs,
      ratio: Number((medianMs / floorMedianMs).toFixed(2)),
      cliRoundTripMs: median(cliMs),
      createReadyMs: seedbedMs,
      floorRunsMs: floorMs,
      flagsDiffer: differences,
      target: { ratio: 1.2 },
    }),
  );
} finally {
  await cleanUp();
}
