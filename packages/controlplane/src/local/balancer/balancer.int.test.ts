import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canBind, reservePorts, type PortReservation } from "../ports.ts";
import { Balancer } from "./balancer.ts";
import { balancerProcessSpec } from "./process-spec.ts";
import type { BalancerLogger, LogFields, RouteStatus } from "./route-server.ts";
import { removeRoute, setDraining, writeRoute, type RouteProbe } from "./routes.ts";
import { backendHost, createTestPKI, get, keepAliveAgent, tally, TestBackend, until, type Answer, type TestPKI } from "./test-fixtures.ts";

describe("the API server load balancer", () => {
  const routesDir = mkdtempSync(join(tmpdir(), "seedbed-routes-"));
  const lines: string[] = [];
  const log: BalancerLogger = {
    info: (fields: LogFields, message: string) => lines.push(`${message} ${JSON.stringify(fields)}`),
    warn: (fields: LogFields, message: string) => lines.push(`${message} ${JSON.stringify(fields)}`),
  };
  const balancer = new Balancer({ routesDir, log, rescanMs: 500 });
  const backends: TestBackend[] = [];
  let pki: TestPKI;
  let ports: PortReservation;
  let nextPort = 0;

  beforeAll(async () => {
    pki = await createTestPKI();
    ports = await reservePorts(10);
    balancer.start();
  });

  afterAll(async () => {
    await balancer.close();
    await Promise.all(backends.map((backend) => backend.kill()));
    ports.release();
    pki.remove();
    rmSync(routesDir, { recursive: true, force: true });
  });

  function port(): number {
    const value = ports.ports[nextPort++];
    if (value === undefined) throw new Error("reserve more ports");
    return value;
  }

  async function startBackends(...names: string[]): Promise<TestBackend[]> {
    const started = await Promise.all(names.map((name) => TestBackend.start(pki, name)));
    backends.push(...started);
    return started;
  }

  /** Writes a route for these backends and waits until the balancer listens for it. */
  async function serve(clusterId: string, listenPort: number, members: readonly TestBackend[], probe: Partial<RouteProbe> = {}): Promise<void> {
    writeRoute(routesDir, clusterId, { listen: [{ host: "127.0.0.1", port: listenPort }], backends: members.map((b) => b.entry()), probe: { ...pki.probe, ...probe } });
    await until(`${clusterId} listening`, () => (status(clusterId)?.listening.length ?? 0) > 0);
  }

  function status(clusterId: string): RouteStatus | undefined {
    return balancer.status().find((route) => route.clusterId === clusterId);
  }

  function backendUp(clusterId: string, name: string): boolean | undefined {
    return status(clusterId)?.backends.find((backend) => backend.name === name)?.up;
  }

  async function requests(listenPort: number, count: number): Promise<Answer[]> {
    const answers: Answer[] = [];
    for (let i = 0; i < count; i++) answers.push(await get(pki, listenPort));
    return answers;
  }

  it("spreads new connections over the backends in turn", async () => {
    const members = await startBackends("spread-0", "spread-1", "spread-2");
    const listenPort = port();
    await serve("spread", listenPort, members, { intervalMs: 50 });
    // Several probes in: each passed, though the certificate names 127.0.0.1 and the backends listen on 127.0.0.2.
    await sleep(300);
    expect(status("spread")?.backends).toEqual(members.map((m) => ({ name: m.name, up: true, draining: false, connections: 0 })));
    const answers = await requests(listenPort, 30);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(tally(answers)).toEqual({ "spread-0": 10, "spread-1": 10, "spread-2": 10 });
    expect(members.map((member) => member.clientConnections)).toEqual([10, 10, 10]);
  });

  it("keeps new requests succeeding when a backend dies, before any probe noticed", async () => {
    const members = await startBackends("kill-0", "kill-1", "kill-2");
    const listenPort = port();
    // Probes every minute: only the failed connections themselves can take the dead one out.
    await serve("kill", listenPort, members, { intervalMs: 60_000 });
    await until("first probes", () => status("kill")?.backends.every((b) => b.up) === true);
    const failures: string[] = [];
    const afterKill: Answer[] = [];
    let killed = false;
    const loop = async (stopAt: number): Promise<void> => {
      while (Date.now() < stopAt) {
        const startedAfterKill = killed;
        try {
          const answer = await get(pki, listenPort);
          if (answer.status !== 200) failures.push(`status ${answer.status}`);
          if (startedAfterKill) afterKill.push(answer);
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    };
    const stopAt = Date.now() + 2500;
    const clients = [loop(stopAt), loop(stopAt)];
    await sleep(700);
    const victim = members[1];
    if (victim === undefined) throw new Error("no victim");
    await victim.kill();
    killed = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(afterKill.length).toBeGreaterThan(10);
    expect(afterKill.map((answer) => answer.body)).not.toContain("kill-1");
    expect(backendUp("kill", "kill-1")).toBe(false);
    expect(lines.some((line) => line.startsWith("Backend down") && line.includes('"backend":"kill-1"'))).toBe(true);
  });

  it("replays a client's first bytes to the next backend when one accepts and drops the connection", async () => {
    const [good] = await startBackends("reset-good");
    if (good === undefined) throw new Error("no backend");
    // Accepts, then drops every connection unanswered: an API server dying with connections in its accept queue.
    const dropper = createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => dropper.listen(0, backendHost, resolve));
    try {
      const dropperPort = (dropper.address() as AddressInfo).port;
      const listenPort = port();
      writeRoute(routesDir, "reset", {
        listen: [{ host: "127.0.0.1", port: listenPort }],
        backends: [{ name: "reset-bad", host: backendHost, port: dropperPort }, good.entry()],
        // One probe at the start, which fails once: not enough to take it out.
        probe: { ...pki.probe, intervalMs: 60_000 },
      });
      await until("reset listening", () => status("reset")?.listening.length === 1);
      expect(tally(await requests(listenPort, 6))).toEqual({ "reset-good": 6 });
      expect(backendUp("reset", "reset-bad")).toBe(false);
    } finally {
      await new Promise<void>((resolve) => dropper.close(() => resolve()));
    }
  });

  it("sends no new connection to a draining backend while its open one goes on", async () => {
    const members = await startBackends("drain-0", "drain-1");
    const listenPort = port();
    await serve("drain", listenPort, members);
    const agent = keepAliveAgent(pki);
    try {
      const first = await get(pki, listenPort, { agent });
      setDraining(routesDir, "drain", first.body, true);
      await until("draining applied", () => status("drain")?.backends.find((b) => b.name === first.body)?.draining === true);
      const fresh = await requests(listenPort, 10);
      expect(tally(fresh)).toEqual({ [first.body === "drain-0" ? "drain-1" : "drain-0"]: 10 });
      const again = await get(pki, listenPort, { agent });
      expect(again).toEqual({ status: 200, body: first.body });
      expect(status("drain")?.backends.find((b) => b.name === first.body)?.connections).toBe(1);
      expect(members.find((m) => m.name === first.body)?.clientConnections).toBe(1);
      // Both draining: nowhere to go, so a new client is closed at once.
      for (const member of members) setDraining(routesDir, "drain", member.name, true);
      await until("both draining", () => status("drain")?.backends.every((b) => b.draining) === true);
      await expect(get(pki, listenPort)).rejects.toThrow(/socket disconnected|ECONNRESET|socket hang up/);
    } finally {
      agent.destroy();
    }
  });

  it("starts listening for a route added at runtime and stops, closing its connections, when it is removed", async () => {
    const members = await startBackends("late-0");
    const listenPort = port();
    await serve("late", listenPort, members);
    const agent = keepAliveAgent(pki);
    try {
      expect(await get(pki, listenPort, { agent })).toEqual({ status: 200, body: "late-0" });
      const socket = Object.values(agent.freeSockets)[0]?.[0];
      if (socket === undefined) throw new Error("the agent kept no connection");
      const closed = once(socket, "close");
      removeRoute(routesDir, "late");
      await closed;
      await until("route gone", () => status("late") === undefined);
      await until("port free", () => canBind(listenPort));
      await expect(get(pki, listenPort)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      agent.destroy();
    }
  });

  it("keeps serving the last valid route when its file turns invalid", async () => {
    const members = await startBackends("invalid-0");
    const listenPort = port();
    await serve("invalid", listenPort, members);
    writeFileSync(join(routesDir, "invalid.json"), JSON.stringify({ listen: [], backends: [], probe: pki.probe }));
    await until("invalid route reported", () => lines.some((line) => line.startsWith("Route invalid") && line.includes("listen must be a non-empty list")));
    expect(await get(pki, listenPort)).toEqual({ status: 200, body: "invalid-0" });
  });

  it("retries the bind while the listen address is taken", async () => {
    const members = await startBackends("busy-0");
    const listenPort = port();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen({ host: "127.0.0.1", port: listenPort, exclusive: true }, resolve));
    writeRoute(routesDir, "busy", { listen: [{ host: "127.0.0.1", port: listenPort }], backends: members.map((b) => b.entry()), probe: pki.probe });
    await until("route added", () => status("busy") !== undefined);
    await sleep(600);
    expect(status("busy")?.listening).toEqual([]);
    expect(lines.filter((line) => line.startsWith("Cannot listen yet") && line.includes('"cluster":"busy"'))).toHaveLength(1);
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    await until("busy listening", () => status("busy")?.listening.length === 1, 3000);
    expect(await get(pki, listenPort)).toEqual({ status: 200, body: "busy-0" });
  });

  it("sends nothing to a backend whose /readyz fails, and takes it back when it recovers", async () => {
    const members = await startBackends("ready-0", "ready-1");
    const [, sick] = members;
    if (sick === undefined) throw new Error("no backend");
    sick.ready = false;
    const listenPort = port();
    await serve("ready", listenPort, members, { intervalMs: 50 });
    await until("ready-1 down", () => backendUp("ready", "ready-1") === false);
    const before = sick.clientConnections;
    expect(tally(await requests(listenPort, 10))).toEqual({ "ready-0": 10 });
    expect(sick.clientConnections).toBe(before);
    expect(status("ready")?.backends.find((b) => b.name === "ready-1")?.reason).toBe("/readyz answered 500");
    sick.ready = true;
    await until("ready-1 up", () => backendUp("ready", "ready-1") === true);
    expect(tally(await requests(listenPort, 4))).toEqual({ "ready-0": 2, "ready-1": 2 });
  });

  it("never logs certificate or key contents", () => {
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toMatch(/BEGIN|PRIVATE KEY/);
  });

  it("runs as its own process and frees its port after SIGTERM", async () => {
    const members = await startBackends("child-0");
    const listenPort = port();
    const childDir = mkdtempSync(join(tmpdir(), "seedbed-routes-child-"));
    const spec = balancerProcessSpec(childDir);
    const child = spawn(spec.command, spec.args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = once(child, "exit");
    try {
      writeRoute(childDir, "child", { listen: [{ host: "127.0.0.1", port: listenPort }], backends: members.map((b) => b.entry()), probe: pki.probe });
      await until("child listening", () => stderr.includes('"msg":"Listening"'));
      expect(await get(pki, listenPort)).toEqual({ status: 200, body: "child-0" });
      child.kill("SIGTERM");
      const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(await canBind(listenPort)).toBe(true);
      expect(stderr).toContain('"msg":"Route added"');
      expect(stderr).not.toMatch(/BEGIN|PRIVATE KEY/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      rmSync(childDir, { recursive: true, force: true });
    }
  });
});
