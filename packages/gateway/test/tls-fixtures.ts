import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { connect, createServer, type Server, type TLSSocket } from "node:tls";
import { createCertificateAuthority, issueCertificate, type CertificateAuthority, type IssuedCertificate } from "@seedbed/pki";

/** A CA, and a client certificate it signed, as a tenant's admin kubeconfig would hold. */
export interface TestPKI {
  readonly ca: CertificateAuthority;
  readonly client: IssuedCertificate;
}

/** A fresh CA and a client certificate with CN "admin". */
export async function createTestPKI(): Promise<TestPKI> {
  const ca = await createCertificateAuthority({ commonName: "gateway-test-ca" });
  const client = await issueCertificate(ca, { commonName: "admin", organizations: ["system:masters"], usage: "client" });
  return { ca, client };
}

/**
 * A TLS server standing in for a tenant kube-apiserver: its certificate
 * names `altNames`, it requires a client certificate of the CA (as
 * kube-apiserver's client-certificate auth does), and it answers each
 * connection, once the client has half-closed, with
 * "<name> <client CN> <bytes received>", then closes.
 */
export interface Backend {
  readonly name: string;
  readonly port: number;
  readonly server: Server;
  /** TCP connections accepted so far (including ones that never finished a handshake). */
  connections(): number;
  /** TCP connections open now. */
  openConnections(): Promise<number>;
  /** Connections open now whose TLS handshake finished. */
  established(): number;
  close(): Promise<void>;
}

/** Starts a Backend on a free loopback port. */
export async function startBackend(pki: TestPKI, name: string, altNames: readonly string[]): Promise<Backend> {
  const cert = await issueCertificate(pki.ca, { commonName: name, altNames, usage: "server" });
  let accepted = 0;
  let established = 0;
  const server = createServer(
    {
      key: cert.privateKeyPem,
      cert: cert.certificatePem,
      ca: pki.ca.certificatePem,
      requestCert: true,
      rejectUnauthorized: true,
      // Half-open, to answer after the client's FIN. Node's TLS server then
      // keeps a socket whose peer left mid-handshake open until the
      // handshake times out (default 120 s); a short timeout stands in for
      // kube-apiserver, which closes such a connection at once.
      allowHalfOpen: true,
      handshakeTimeout: 1000,
    },
    (socket: TLSSocket) => {
      established++;
      socket.once("close", () => established--);
      let received = 0;
      socket.on("data", (chunk: Buffer) => (received += chunk.length));
      socket.on("end", () => {
        const peer = socket.getPeerCertificate();
        socket.end(`${name} ${String(peer.subject.CN)} ${received}`);
      });
      socket.on("error", () => undefined);
    },
  );
  server.on("connection", () => accepted++);
  server.on("tlsClientError", () => undefined);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    name,
    port: (server.address() as AddressInfo).port,
    server,
    connections: () => accepted,
    established: () => established,
    openConnections: () => new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count)))),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** How a test client connects through the proxy. */
export interface ExchangeOptions {
  readonly port: number;
  /** The SNI to send; none when undefined (Node sends none to an IP address). */
  readonly servername?: string;
  readonly pki: TestPKI;
  /** What to send before half-closing; default "ping". */
  readonly payload?: string;
}

/**
 * Connects with TLS through the proxy, verifying the server's certificate
 * against the CA for `servername`, presents the client certificate, sends
 * the payload, half-closes, and returns everything the server sent.
 */
export async function exchange(options: ExchangeOptions): Promise<string> {
  const socket = connect({
    host: "127.0.0.1",
    port: options.port,
    servername: options.servername,
    ca: options.pki.ca.certificatePem,
    cert: options.pki.client.certificatePem,
    key: options.pki.client.privateKeyPem,
    rejectUnauthorized: true,
  });
  try {
    await once(socket, "secureConnect");
    socket.end(options.payload ?? "ping");
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString();
  } finally {
    socket.destroy();
  }
}

/** Connects as `exchange` does and expects the handshake to fail; returns the error's code (or message). */
export async function rejection(options: ExchangeOptions): Promise<string> {
  try {
    const answer = await exchange(options);
    return `no error; the server answered "${answer}"`;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? code : String(error);
  }
}
