import { existsSync, readFileSync, statSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { etcdClientPEMs, openEtcdConnection, readyEtcdPod, type EtcdPodView, type Forward } from "./etcd-connection.ts";

const pod = (name: string, change: { component?: string; phase?: string; ready?: string; deleting?: boolean } = {}): EtcdPodView => ({
  metadata: { name, labels: { "seedbed.dev/component": change.component ?? "etcd" }, ...(change.deleting === true ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) },
  status: { phase: change.phase ?? "Running", conditions: [{ type: "Ready", status: change.ready ?? "True" }] },
});

describe("readyEtcdPod", () => {
  it.each([
    { title: "no pods", pods: [], chosen: undefined },
    { title: "the only member, Ready", pods: [pod("etcd-0")], chosen: "etcd-0" },
    { title: "the lowest ordinal of the Ready members", pods: [pod("etcd-10"), pod("etcd-2"), pod("etcd-1")], chosen: "etcd-1" },
    { title: "a member that is not Ready", pods: [pod("etcd-0", { ready: "False" }), pod("etcd-1")], chosen: "etcd-1" },
    { title: "a member still Pending", pods: [pod("etcd-0", { phase: "Pending" })], chosen: undefined },
    { title: "a member being deleted", pods: [pod("etcd-0", { deleting: true }), pod("etcd-2")], chosen: "etcd-2" },
    { title: "a Ready pod of another component", pods: [pod("kube-apiserver-abc12", { component: "kube-apiserver" })], chosen: undefined },
  ])("$title → $chosen", ({ pods, chosen }) => {
    expect(readyEtcdPod(pods)).toBe(chosen);
  });
});

describe("etcdClientPEMs", () => {
  const pki = new Map([
    ["etcd-ca.crt", "CURRENT CA ONLY"],
    ["etcd-ca-bundle.crt", "CA BUNDLE"],
    ["apiserver-etcd-client.crt", "CERT"],
    ["apiserver-etcd-client.key", "KEY"],
    ["ca.key", "not for etcd"],
  ]);

  it("takes the etcd CA bundle (not the bare CA: members may serve from the previous CA during a rotation) and the API server's etcd client certificate and key", () => {
    expect(etcdClientPEMs(pki)).toEqual({ etcdCABundle: "CA BUNDLE", apiServerEtcdClientCert: "CERT", apiServerEtcdClientKey: "KEY" });
  });

  it("is undefined when one of them is missing", () => {
    expect(etcdClientPEMs(new Map([...pki].filter(([file]) => file !== "apiserver-etcd-client.key")))).toBeUndefined();
    expect(etcdClientPEMs(new Map([...pki].filter(([file]) => file !== "etcd-ca-bundle.crt")))).toBeUndefined();
  });
});

describe("openEtcdConnection", () => {
  const pems = { etcdCABundle: "CA PEM", apiServerEtcdClientCert: "CERT PEM", apiServerEtcdClientKey: "KEY PEM" };
  let echo: Server;
  let echoPort = 0;
  // A real destination: an echo server on loopback, reached the way a port-forward would carry the bytes.
  const toEcho: Forward = async (socket) => {
    const upstream = connect(echoPort, "127.0.0.1");
    await new Promise((resolve, reject) => upstream.once("connect", resolve).once("error", reject));
    socket.pipe(upstream).pipe(socket);
    socket.on("close", () => upstream.destroy());
  };
  const send = (port: number, text: string): Promise<{ socket: Socket; reply: string }> =>
    new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => socket.write(text));
      socket.once("data", (data) => resolve({ socket, reply: data.toString() }));
      socket.once("error", reject);
    });

  beforeAll(async () => {
    echo = createServer((s) => s.pipe(s));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    echoPort = (echo.address() as { port: number }).port;
  });
  afterAll(() => {
    echo.close();
  });

  it("writes the PEMs to a private directory and forwards each connection to the loopback endpoint", async () => {
    const etcd = await openEtcdConnection({ pems, forward: toEcho });
    try {
      expect(etcd.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(statSync(dirname(etcd.caFile)).mode & 0o777).toBe(0o700);
      for (const [file, pem] of [[etcd.caFile, "CA PEM"], [etcd.certFile, "CERT PEM"], [etcd.keyFile, "KEY PEM"]] as const) {
        expect(readFileSync(file, "utf8")).toBe(pem);
        expect(statSync(file).mode & 0o777).toBe(0o600);
      }
      const port = Number(new URL(etcd.endpoint).port);
      const [first, second] = await Promise.all([send(port, "one"), send(port, "two")]);
      expect([first.reply, second.reply]).toEqual(["one", "two"]);
      first.socket.destroy();
      second.socket.destroy();
    } finally {
      await etcd.close();
    }
  });

  it("on close, ends the open connections, stops listening and removes the files; twice is harmless", async () => {
    const etcd = await openEtcdConnection({ pems, forward: toEcho });
    const port = Number(new URL(etcd.endpoint).port);
    const { socket } = await send(port, "hello");
    const ended = new Promise((resolve) => socket.once("close", resolve));
    await etcd.close();
    await ended;
    await etcd.close();
    expect(existsSync(dirname(etcd.caFile))).toBe(false);
    await expect(send(port, "again")).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("resets a connection whose forward cannot be opened, and keeps serving others", async () => {
    let calls = 0;
    const flaky: Forward = (socket) => (++calls === 1 ? Promise.reject(new Error("pods/etcd-0 not found")) : toEcho(socket));
    const etcd = await openEtcdConnection({ pems, forward: flaky });
    try {
      const port = Number(new URL(etcd.endpoint).port);
      const refused = await new Promise<string>((resolve) => {
        const socket = connect(port, "127.0.0.1");
        socket.on("error", () => undefined);
        socket.once("close", () => resolve("closed"));
      });
      expect(refused).toBe("closed");
      const { socket, reply } = await send(port, "still");
      expect(reply).toBe("still");
      socket.destroy();
    } finally {
      await etcd.close();
    }
  });
});
