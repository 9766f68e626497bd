// What the SNI gateway costs: a fresh TLS connection and a request, and a
// bulk transfer, straight to a TLS server and through the gateway, side by
// side in one run; then many connections at once through the gateway.
//
//   npm run bench -- gateway [--connections 300] [--megabytes 256] [--concurrent 500]
import { request, type Agent } from "node:https";
import { createServer, type Server } from "node:https";
import { parseArgs } from "node:util";
import { startSNIProxy } from "@seedbed/gateway";
import { createCertificateAuthority, issueCertificate } from "@seedbed/pki";

const { values } = parseArgs({ options: { connections: { type: "string", default: "300" }, megabytes: { type: "string", default: "256" }, concurrent: { type: "string", default: "500" } } });
const connections = Number(values.connections);
const megabytes = Number(values.megabytes);
const concurrent = Number(values.concurrent);
const name = "c1.p1.bench.test";

const ca = await createCertificateAuthority({ commonName: "bench-ca" });
const cert = await issueCertificate(ca, { commonName: name, altNames: [name], usage: "server" });
const chunk = Buffer.alloc(1 << 20, 7);
const backend: Server = createServer({ cert: cert.certificatePem, key: cert.privateKeyPem }, (req, res) => {
  const mib = Number(new URL(req.url ?? "/", "https://x").searchParams.get("mib") ?? "0");
  res.writeHead(200, { "content-type": "application/octet-stream" });
  for (let i = 0; i < mib; i++) res.write(chunk);
  res.end("ok");
});
await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
const backendPort = (backend.address() as { port: number }).port;
const gateway = await startSNIProxy({ port: 0, resolve: (serverName) => (serverName === name ? { host: "127.0.0.1", port: backendPort } : undefined) });

/** One GET on a fresh connection (no keep-alive), verifying the backend's certificate by name; resolves with the bytes read. */
function get(port: number, path: string, agent: Agent | false = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, servername: name, ca: ca.certificatePem, agent }, (res) => {
      let bytes = 0;
      res.on("data", (data: Buffer) => (bytes += data.length));
      res.on("end", () => resolve(bytes));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

async function latencies(port: number): Promise<{ medianMs: number; p99Ms: number }> {
  const samples: number[] = [];
  for (let i = 0; i < connections; i++) {
    const began = performance.now();
    await get(port, "/");
    samples.push(performance.now() - began);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number): number => Math.round((samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0) * 100) / 100;
  return { medianMs: at(0.5), p99Ms: at(0.99) };
}

async function throughput(port: number): Promise<number> {
  const began = performance.now();
  const bytes = await get(port, `/?mib=${String(megabytes)}`);
  return Math.round(bytes / (1 << 20) / ((performance.now() - began) / 1000));
}

// Warm up both paths (JIT, TLS session machinery) before measuring.
await latencies(backendPort);
await latencies(gateway.port);
const direct = { ...(await latencies(backendPort)), mibPerSecond: await throughput(backendPort) };
const viaGateway = { ...(await latencies(gateway.port)), mibPerSecond: await throughput(gateway.port) };
process.stdout.write(`direct:  connect+request median ${String(direct.medianMs)} ms, p99 ${String(direct.p99Ms)} ms; ${String(direct.mibPerSecond)} MiB/s\n`);
process.stdout.write(`gateway: connect+request median ${String(viaGateway.medianMs)} ms, p99 ${String(viaGateway.p99Ms)} ms; ${String(viaGateway.mibPerSecond)} MiB/s\n`);

const began = performance.now();
const results = await Promise.allSettled(Array.from({ length: concurrent }, () => get(gateway.port, "/")));
const concurrentSeconds = Math.round(performance.now() - began) / 1000;
const failed = results.filter((r) => r.status === "rejected").length;
process.stdout.write(`${String(concurrent)} connections at once through the gateway: ${String(concurrent - failed)} answered in ${String(concurrentSeconds)} s\n`);
// Clients have their answers; the last tunnels may still be closing. None may stay.
const closing = performance.now();
while (gateway.openSockets() > 0 && performance.now() - closing < 5000) await new Promise((resolve) => setTimeout(resolve, 20));
const leftOpen = gateway.openSockets();
const closedAfterMs = Math.round(performance.now() - closing);
await gateway.stop();
await new Promise<void>((resolve) => backend.close(() => resolve()));

process.stdout.write(
  `${JSON.stringify({
    benchmark: "gateway",
    connections,
    direct,
    viaGateway,
    addedMedianMs: Math.round((viaGateway.medianMs - direct.medianMs) * 100) / 100,
    concurrent,
    concurrentFailed: failed,
    concurrentSeconds,
    gatewaySocketsOpenAfter: leftOpen,
    allClosedAfterMs: closedAfterMs,
  })}\n`,
);
