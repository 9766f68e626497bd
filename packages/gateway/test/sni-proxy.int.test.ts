import { once } from "node:events";
import { connect as connectTCP, createServer as createTCPServer, type AddressInfo } from "node:net";
import { connect as connectTLS } from "node:tls";
import { eventually } from "@seedbed/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSNIProxy, type Backend as Route, type SNIProxy } from "../src/index.ts";
import { createTestPKI, exchange, rejection, startBackend, type Backend, type TestPKI } from "./tls-fixtures.ts";

/** Sockets of this process, by kind of handle: what a leak would leave behind. */
function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "TCPSocketWrap").length;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createTCPServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Sends raw bytes to the proxy and returns every byte it answers until it closes. */
async function rawExchange(port: number, bytes: Buffer | undefined): Promise<Buffer> {
  const socket = connectTCP({ host: "127.0.0.1", port });
  await once(socket, "connect");
  if (bytes) socket.write(bytes);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe("the SNI proxy", () => {
  let pki: TestPKI;
  let a: Backend;
  let b: Backend;
  let downPort: number;
  let proxy: SNIProxy;
  let lookups: string[];

  const backendConnections = (): number => a.connections() + b.connections();

  beforeAll(async () => {
    pki = await createTestPKI();
    a = await startBackend(pki, "A", ["a.p1.example.test"]);
    b = await startBackend(pki, "B", ["b.p1.example.test"]);
    downPort = await closedPort();
    lookups = [];
    const table = new Map<string, Route>([
      ["a.p1.example.test", { host: "127.0.0.1", port: a.port }],
      ["b.p1.example.test", { host: "127.0.0.1", port: b.port }],
      ["down.p1.example.test", { host: "127.0.0.1", port: downPort }],
    ]);
    proxy = await startSNIProxy({
      port: 0,
      resolve: (name) => {
        lookups.push(name);
        return table.get(name);
      },
      // Long enough for 200 clients' handshakes at once on a loaded machine (the test of 200 connections), short enough to wait out.
      helloTimeoutMs: 2000,
    });
  });

  afterEach(async () => {
    // Whatever a test did, nothing may stay open once its clients are gone.
    await eventually(async () => [proxy.openSockets(), await a.openConnections(), await b.openConnections()], (open) => open.every((n) => n === 0), {
      timeoutMs: 10_000,
      description: "no open sockets in the proxy and the backends",
    });
  });

  afterAll(async () => {
    await proxy.stop();
    await Promise.all([a.close(), b.close()]);
  });

  it("routes each name to its backend, whose certificate the client verifies and which authenticates the client's certificate", async () => {
    expect(await exchange({ port: proxy.port, servername: "a.p1.example.test", pki })).toBe("A admin 4");
    expect(await exchange({ port: proxy.port, servername: "b.p1.example.test", pki, payload: "ping ping" })).toBe("B admin 9");
    expect(a.connections()).toBe(1);
    expect(b.connections()).toBe(1);
  });

  it("matches names case-insensitively and without one trailing dot", async () => {
    // The client checks the certificate against the name as given; A's SAN is lower case, which matches.
    expect(await exchange({ port: proxy.port, servername: "A.P1.Example.TEST", pki })).toBe("A admin 4");
    lookups.length = 0;
    expect(await exchange({ port: proxy.port, servername: "a.p1.example.test.", pki })).toBe("A admin 4");
    expect(lookups).toEqual(["a.p1.example.test"]);
  });

  it.each([
    ["an unknown name", "c.p1.example.test", "ERR_SSL_TLSV1_UNRECOGNIZED_NAME"],
    ["a name with the domain as a prefix", "a.p1.example.test.evil", "ERR_SSL_TLSV1_UNRECOGNIZED_NAME"],
    ["a name with an extra label", "x.a.p1.example.test", "ERR_SSL_TLSV1_UNRECOGNIZED_NAME"],
    ["a name that is only the domain", "p1.example.test", "ERR_SSL_TLSV1_UNRECOGNIZED_NAME"],
    // OpenSSL 3 names alert 40 "SSL/TLS alert handshake failure".
    ["no server name", undefined, "ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE"],
  ])("rejects %s with an alert and never reaches a backend", async (_title, servername, code) => {
    const before = backendConnections();
    expect(await rejection({ port: proxy.port, servername, pki })).toBe(code);
    expect(backendConnections()).toBe(before);
  });

  it("answers bytes that are not a ClientHello with a decode_error alert and closes", async () => {
    const before = backendConnections();
    const answer = await rawExchange(proxy.port, Buffer.from("GET / HTTP/1.1\r\nHost: a.p1.example.test\r\n\r\n"));
    expect([...answer]).toEqual([21, 3, 3, 0, 2, 2, 50]);
    expect(backendConnections()).toBe(before);
  });

  it("gives a client that sends no ClientHello in time a handshake_failure alert and closes", async () => {
    const began = performance.now();
    const answer = await rawExchange(proxy.port, undefined);
    expect([...answer]).toEqual([21, 3, 3, 0, 2, 2, 40]);
    expect(performance.now() - began).toBeGreaterThanOrEqual(1950);
  });

  it("closes the client when its backend is down", async () => {
    expect(await rejection({ port: proxy.port, servername: "down.p1.example.test", pki })).toBe("ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR");
  });

  it("routes 200 concurrent connections each to its own backend", async () => {
    const names = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? "a" : "b"));
    const answers = await Promise.all(names.map((n, i) => exchange({ port: proxy.port, servername: `${n}.p1.example.test`, pki, payload: "x".repeat(i) })));
    answers.forEach((answer, i) => expect(answer).toBe(`${names[i] === "a" ? "A" : "B"} admin ${i}`));
  });

  it("passes a large upload and its answer through intact", async () => {
    expect(await exchange({ port: proxy.port, servername: "b.p1.example.test", pki, payload: "y".repeat(4 * 1024 * 1024) })).toBe(`B admin ${4 * 1024 * 1024}`);
  });

  it("closes the backend side when a client resets mid-tunnel", async () => {
    const socket = connectTCP({ host: "127.0.0.1", port: proxy.port });
    await once(socket, "connect");
    // A real ClientHello for A; then vanish before the handshake ends.
    const tls = connectTLS({ socket, servername: "a.p1.example.test", ca: pki.ca.certificatePem, cert: pki.client.certificatePem, key: pki.client.privateKeyPem });
    tls.on("error", () => undefined);
    await once(tls, "secureConnect");
    await eventually(() => Promise.resolve(a.established()), (n) => n === 1, { timeoutMs: 5000 });
    socket.resetAndDestroy();
    await eventually(() => a.openConnections(), (n) => n === 0, { timeoutMs: 5000, description: "the backend connection closed" });
  });
});

describe("stopping the SNI proxy", () => {
  it("destroys live tunnels and leaves no socket behind", async () => {
    const pki = await createTestPKI();
    const a = await startBackend(pki, "A", ["a.p1.example.test"]);
    const handlesBefore = tcpHandles();
    const proxy = await startSNIProxy({ port: 0, resolve: (name) => (name === "a.p1.example.test" ? { host: "127.0.0.1", port: a.port } : undefined) });
    const clients = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const tls = connectTLS({ host: "127.0.0.1", port: proxy.port, servername: "a.p1.example.test", ca: pki.ca.certificatePem, cert: pki.client.certificatePem, key: pki.client.privateKeyPem });
        tls.on("error", () => undefined);
        await once(tls, "secureConnect");
        return tls;
      }),
    );
    await eventually(() => Promise.resolve(a.established()), (n) => n === 5, { timeoutMs: 5000 });
    expect(proxy.openSockets()).toBe(10);

    await proxy.stop();
    expect(proxy.openSockets()).toBe(0);
    await Promise.all(clients.map((tls) => (tls.closed ? Promise.resolve() : once(tls, "close"))));
    await eventually(() => a.openConnections(), (n) => n === 0, { timeoutMs: 5000, description: "backend connections closed" });
    await expect(rawExchange(proxy.port, undefined)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await eventually(() => Promise.resolve(tcpHandles()), (n) => n <= handlesBefore, { timeoutMs: 5000, description: "TCP handles back to where they were" });
    await a.close();
  });
});
