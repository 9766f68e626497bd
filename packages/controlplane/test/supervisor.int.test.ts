import { randomUUID } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { SupervisingLauncher } from "../src/local/launcher.ts";
import { findProcessesByMarker, processMarkerVariable } from "../src/local/proc.ts";
import { ManagedProcess } from "../src/local/process.ts";
import { SupervisedComponent, type SupervisorEvent } from "../src/local/supervisor.ts";

const fastBackoff = { initialMs: 100, maxMs: 800, resetAfterMs: 60_000 };

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(25);
  }
}

describe("a supervised component", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });

  function setup(args = ["300"]): { make: () => SupervisedComponent; marker: string; events: SupervisorEvent[] } {
    const dir = mkdtempSync(join(tmpdir(), "seedbed-supervisor-"));
    const marker = `test/${randomUUID()}`;
    const events: SupervisorEvent[] = [];
    const make = (): SupervisedComponent =>
      new SupervisedComponent({ spec: { name: "sleeper", command: "/bin/sleep", args }, logFile: join(dir, "sleeper.log"), cwd: dir, marker, backoff: fastBackoff, onEvent: (e) => events.push(e) });
    cleanups.push(() => {
      for (const pid of findProcessesByMarker(marker)) process.kill(pid, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    });
    return { make, marker, events };
  }

  it("leaves nothing running when stopped while it was starting the process, nor restarts it later", async () => {
    const { make, marker, events } = setup();
    const component = make();
    const starting = component.ensureRunning();
    const stopping = component.stop();
    const started = await starting;
    await stopping;
    await started.exited;
    expect(findProcessesByMarker(marker)).toEqual([]);
    await sleep(fastBackoff.initialMs * 3);
    expect(findProcessesByMarker(marker)).toEqual([]);
    expect(events.filter((e) => e.type === "exited")).toEqual([]);
  });

  it("launches nothing through a launcher that was stopped (a reconcile still running as the platform stops)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seedbed-launcher-"));
    const markerPrefix = `test/${randomUUID()}`;
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const launcher = new SupervisingLauncher({ cwd: dir, markerPrefix, backoff: fastBackoff });
    await launcher.launch({ name: "one", command: "/bin/sleep", args: ["300"] }, join(dir, "one.log"));
    await launcher.stopAll();
    await expect(launcher.launch({ name: "two", command: "/bin/sleep", args: ["300"] }, join(dir, "two.log"))).rejects.toThrow(/cannot launch two: its control plane's processes were stopped/);
    expect(findProcessesByMarker(markerPrefix, { prefix: true })).toEqual([]);
  });

  it("tells a crashed component waiting out its backoff, so that a reconcile does not start it early", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seedbed-launcher-"));
    const markerPrefix = `test/${randomUUID()}`;
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const events: SupervisorEvent[] = [];
    const launcher = new SupervisingLauncher({ cwd: dir, markerPrefix, backoff: { initialMs: 1500, maxMs: 3000, resetAfterMs: 60_000 }, onEvent: (e) => events.push(e) });
    const failing = { name: "failing", command: "/bin/sh", args: ["-c", "exit 1"] };
    await launcher.launch(failing, join(dir, "failing.log"));
    await until(() => events.some((e) => e.type === "exited"));
    expect(launcher.restartPending(failing)).toBe(true);
    expect(launcher.restartPending({ ...failing, args: ["-c", "exit 2"] })).toBe(false);
    // Reconciles coming every 50 ms, as the local driver runs them, start nothing before the backoff ends.
    for (let i = 0; i < 10; i++) {
      if (!launcher.restartPending(failing)) await launcher.launch(failing, join(dir, "failing.log"));
      await sleep(50);
    }
    expect(events.filter((e) => e.type === "started")).toHaveLength(1);
    await until(() => events.filter((e) => e.type === "started").length === 2, 5000);
    await launcher.stopAll();
  });

  it("starts once and hands back the same process when asked again", async () => {
    const { make, marker } = setup();
    const component = make();
    const first = await component.ensureRunning();
    const second = await component.ensureRunning();
    expect(second.pid).toBe(first.pid);
    expect(findProcessesByMarker(marker)).toEqual([first.pid]);
    await component.stop();
    expect(findProcessesByMarker(marker)).toEqual([]);
  });

  it("restarts a crashed process with growing delays", async () => {
    const { make, marker, events } = setup();
    const component = make();
    let pid = (await component.ensureRunning()).pid;
    for (let crash = 1; crash <= 3; crash++) {
      process.kill(pid, "SIGKILL");
      await until(() => component.restarts === crash && component.process !== undefined && component.process.pid !== pid);
      pid = component.process?.pid ?? -1;
      expect(findProcessesByMarker(marker)).toEqual([pid]);
    }
    const delays = events.flatMap((e) => (e.type === "exited" ? [e.restartInMs] : []));
    expect(delays).toEqual([100, 200, 400]);
    await component.stop();
  });

  it("is adopted, not duplicated, by a restarted platform", async () => {
    const { make, marker, events } = setup();
    const killed = make();
    const before = await killed.ensureRunning();
    killed.detach();
    // A new supervisor, as after the platform was killed and started again.
    const after = await make().ensureRunning();
    expect(after.pid).toBe(before.pid);
    expect(after.adopted).toBe(true);
    expect(events.map((e) => e.type)).toEqual(["started", "adopted"]);
    expect(findProcessesByMarker(marker)).toEqual([before.pid]);
  });

  it("notices when an adopted process dies, and restarts it", async () => {
    const { make, marker } = setup();
    const crashed = make();
    const original = await crashed.ensureRunning();
    crashed.detach();
    const component = make();
    const adopted = await component.ensureRunning();
    expect(adopted.adopted).toBe(true);
    process.kill(original.pid, "SIGKILL");
    await until(() => component.restarts === 1 && component.process !== undefined);
    expect(findProcessesByMarker(marker)).toEqual([component.process?.pid]);
    expect(component.process?.pid).not.toBe(original.pid);
  });

  it("replaces a process rendered from an older spec, and removes extra copies", async () => {
    const { make: makeOld, marker } = setup(["300"]);
    const oldSupervisor = makeOld();
    const old = await oldSupervisor.ensureRunning();
    oldSupervisor.detach();
    // A stray second copy, as a crash between two starts could leave.
    const stray = await ManagedProcess.start({ name: "sleeper", command: "/bin/sleep", args: ["301"], env: { [processMarkerVariable]: marker } }, { logFile: "/dev/null" });
    const changed = new SupervisedComponent({ spec: { name: "sleeper", command: "/bin/sleep", args: ["302"] }, logFile: "/dev/null", cwd: tmpdir(), marker, backoff: fastBackoff });
    const current = await changed.ensureRunning();
    expect([old.pid, stray.pid]).not.toContain(current.pid);
    expect(findProcessesByMarker(marker)).toEqual([current.pid]);
    await changed.stop();
    expect(findProcessesByMarker(marker)).toEqual([]);
  });

  it("keeps trying when the binary cannot be started, and stops trying when stopped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seedbed-supervisor-bin-"));
    const binary = join(dir, "component");
    copyFileSync("/bin/sleep", binary);
    const marker = `test/${randomUUID()}`;
    cleanups.push(() => {
      for (const pid of findProcessesByMarker(marker)) process.kill(pid, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    });
    const component = new SupervisedComponent({ spec: { name: "c", command: binary, args: ["300"] }, logFile: join(dir, "log"), cwd: dir, marker, backoff: fastBackoff });
    const running = await component.ensureRunning();
    rmSync(binary);
    process.kill(running.pid, "SIGKILL");
    // Each attempt fails to spawn and is retried with a longer delay: 100, 200, 400 ms…
    await until(() => component.restarts >= 3);
    expect(component.process).toBeUndefined();
    copyFileSync("/bin/sleep", binary);
    await until(() => component.process !== undefined, 5_000);
    expect(findProcessesByMarker(marker)).toEqual([component.process?.pid]);
    await component.stop();
    const restartsAtStop = component.restarts;
    await sleep(1000);
    expect(component.restarts).toBe(restartsAtStop);
    expect(findProcessesByMarker(marker)).toEqual([]);
  });
});
