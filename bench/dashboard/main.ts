// What the web dashboard (issue 21) costs and how fast it is with a fleet of
// N clusters, in Debian's Chromium driven by playwright-core, against the
// real services of `seedbed up` (local seed, temporary SEEDBED_HOME):
// Setup: N Clusters in project a, written as the platform admin with
// $SEEDBED_HOME/management.kubeconfig. They are paused (the operator adds
// its finalizer and starts no control plane: 200 real control planes do not
// fit on 2 cores) and their status (phase Running, version, nodes, a
// backup, Ready) is written through the status subresource. Every other
// cluster carries bench-half=even. alice, owner of project a, signs in.
// Measured:
// 1. bundle: bytes of dist/assets/*.js and *.css, raw and gzipped;
// 2. sign-in → fleet: the issuer form's "Sign in" click → all N rows drawn;
// 3. cold load: reload → all N rows, p50 over --loads; tokens live in
//    memory, so a reload goes back through the issuer by itself, whose
//    session signs alice in without the form (included, and reported as a
//    part);
// 4. live update: a Cluster's phase written through the management API →
//    the row's Phase badge shows it (the SSE watch), p50/p99 over --changes;
// 5. memory: the page's JS heap (V8's, after a GC) and DOM nodes with N rows;
// 6. filter: the last key of a label selector matching half the fleet → the
//    rows shown; and clearing it → all rows.
// Ctrl-C or an error stops the browser and `seedbed up` and removes its home.
// Usage: npm run bench -- dashboard [--clusters 200] [--changes 20] [--loads 5] [--filter-rounds 5] [--wait-seconds 60]
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { dashboardDistDir } from "@seedbed/dashboard";
import { processesMentioning } from "@seedbed/testing";
import type { Browser, BrowserContext } from "playwright-core";
import { desktop, launchBrowser, newSession } from "../../packages/dashboard/test/browser.ts";
import { startPlatform, type Platform } from "../../packages/dashboard/test/platform.ts";
import { parseWholeNumber } from "../rotation/figures.ts";
import { howServed, readBundle } from "./bundle.ts";
import { bundleFigures } from "./figures.ts";
import { Fleet } from "./fleet.ts";
import { instrument, memoryOf } from "./page.ts";
import { descendantsOf } from "./processes.ts";
import { coldLoads, filterLatency, liveUpdates, signInToFleet } from "./steps.ts";

const { values } = parseArgs({
  options: {
    clusters: { type: "string", default: "200" },
    changes: { type: "string", default: "20" },
    loads: { type: "string", default: "5" },
    "filter-rounds": { type: "string", default: "5" },
    "wait-seconds": { type: "string", default: "60" },
  },
});
const clusters = parseWholeNumber("clusters", values.clusters, 2);
const changes = parseWholeNumber("changes", values.changes, 1);
const loads = parseWholeNumber("loads", values.loads, 1);
const filterRounds = parseWholeNumber("filter-rounds", values["filter-rounds"], 1);
const timeoutMs = parseWholeNumber("wait-seconds", values["wait-seconds"], 1) * 1000;
const log = (message: string): void => void process.stderr.write(`[dashboard] ${message}\n`);
const user = "alice";
const project = "a";
const setup = `seedbed up (local seed, a temporary SEEDBED_HOME); ${String(clusters)} paused Clusters in project ${project} written as the platform admin with management.kubeconfig, their status written through the status subresource (no control planes); signed in as ${user}`;

const began = performance.now();
// The machine is shared: its load when the run began says how much the figures may owe to others.
const loadAverageAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
const started: { platform?: Platform; browser?: Browser; context?: BrowserContext; fleet?: Fleet } = {};
let stopping: Promise<void> | undefined;
/** Closes the browser, the admin's connection and `seedbed up` (which removes its home); once. */
const stop = (): Promise<void> =>
  (stopping ??= (async () => {
    await started.context?.close().catch(() => undefined);
    await started.browser?.close().catch(() => undefined);
    await started.fleet?.close().catch(() => undefined);
    await started.platform?.stop();
  })());
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping everything`);
    void stop().finally(() => process.exit(130));
  });
}

const bundle = bundleFigures(readBundle(dashboardDistDir));
log(`bundle: ${String(bundle.js.files)} JS file(s) ${String(bundle.js.bytes)} B (${String(bundle.js.gzipBytes)} B gzipped), ${String(bundle.css.files)} CSS file(s) ${String(bundle.css.bytes)} B (${String(bundle.css.gzipBytes)} B gzipped)`);

let figures: Record<string, unknown>;
let home = "";
try {
  log("starting seedbed up");
  const upBegan = performance.now();
  const platform = (started.platform = await startPlatform());
  home = platform.home;
  const upSeconds = Math.round((performance.now() - upBegan) / 100) / 10;
  log(`seedbed up ready in ${String(upSeconds)} s; dashboard at ${platform.dashboardURL}`);

  const config = (await (await fetch(new URL("dashboard/config.json", platform.dashboardURL))).json()) as { versions: string[] };
  const served = await howServed(platform.dashboardURL, bundle.files.map((f) => f.name));
  log(`served: ${JSON.stringify(served)}`);
  const version = `${config.versions[0] ?? "1.36"}.0`;
  const fleet = (started.fleet = new Fleet({ kubeconfigPath: platform.managementKubeconfig, namespace: `project-${project}`, version }));
  const fleetBegan = performance.now();
  await fleet.create(clusters);
  await fleet.settled(clusters, timeoutMs);
  log(`${String(clusters)} clusters created, Running and finalized by the operator in ${((performance.now() - fleetBegan) / 1000).toFixed(1)} s`);

  const browser = (started.browser = await launchBrowser());
  const { context, page } = await newSession(browser);
  started.context = context;
  await instrument(context, new URL(platform.dashboardURL).origin, clusters);
  const step = { page, clusters, timeoutMs, log };
  const signIn = await signInToFleet({ ...step, url: platform.dashboardURL, user, password: platform.password(user) });
  await sleep(2000); // let the first load's work and timers finish before the heap is read
  const memory = await memoryOf(page);
  log(`memory with ${String(clusters)} rows: JS heap ${String(memory.usedJSHeapMiB)} MiB after GC (${String(memory.usedJSHeapMiBBeforeGC)} MiB before), ${String(memory.domNodes)} DOM nodes`);
  const coldLoad = await coldLoads({ ...step, loads });
  const liveUpdate = await liveUpdates({ ...step, fleet, changes });
  const filter = await filterLatency({ ...step, rounds: filterRounds });
  figures = {
    settings: { clusters, setup, seedbedUpSeconds: upSeconds, browser: `Chromium ${browser.version()} (headless, playwright-core)`, viewport: desktop, loadAverageAtStart, user, changes, loads, filterRounds },
    bundle: { ...bundle, served },
    signIn,
    coldLoad,
    liveUpdate,
    memory,
    filter,
  };
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await stop();
  process.exit(1);
}
await stop();
await sleep(500);
const left = { descendants: descendantsOf(process.pid).length, mentioningHome: home === "" ? 0 : processesMentioning(home).length };
log(`left behind: ${String(left.descendants)} child process(es), ${String(left.mentioningHome)} naming the home`);

console.log(JSON.stringify({ benchmark: "dashboard", ...figures, leftProcesses: left, wallSeconds: Math.round((performance.now() - began) / 100) / 10 }));
process.exit(0);
