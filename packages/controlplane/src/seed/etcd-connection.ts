import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Writable } from "node:stream";
import { PortForward, type KubeConfig } from "@kubernetes/client-node";
import type { EtcdConnection } from "../driver.ts";
import { pkiFiles, type PKIRole } from "../pki-layout.ts";
import type { PodStatus } from "./observe.ts";

/**
 * The PEMs an etcd client of a cluster needs: the etcd CA bundle (both CAs
 * while one rotates, so a member still serving with a certificate of the
 * previous CA is trusted), and the API server's etcd client certificate and key.
 */
export type EtcdClientPEMs = Readonly<Record<EtcdClientRole, string>>;

type EtcdClientRole = Extract<PKIRole, "etcdCABundle" | "apiServerEtcdClientCert" | "apiServerEtcdClientKey">;
const clientRoles: readonly EtcdClientRole[] = ["etcdCABundle", "apiServerEtcdClientCert", "apiServerEtcdClientKey"];

/** The etcd client PEMs of a plan's PKI (file name → PEM), or undefined when one is missing. */
export function etcdClientPEMs(pki: ReadonlyMap<string, string>): EtcdClientPEMs | undefined {
  // The file names of the PKI layout, the keys of plan.pki.
  const names = pkiFiles("");
  const pems = clientRoles.map((role) => [role, pki.get(basename(names[role]))] as const);
  if (pems.some(([, pem]) => pem === undefined)) return undefined;
  return Object.fromEntries(pems) as EtcdClientPEMs;
}

/** The parts of a Pod the choice of an etcd member reads. */
export type EtcdPodView = PodStatus & { readonly metadata?: { readonly name?: string; readonly labels?: Readonly<Record<string, string>>; readonly deletionTimestamp?: unknown } };

/**
 * The etcd member to reach among a seed namespace's pods: one of the etcd
 * StatefulSet's pods that runs, is Ready and is not going away, the lowest
 * ordinal first (the same member each time while it is healthy); undefined
 * when there is none.
 */
export function readyEtcdPod(pods: readonly EtcdPodView[]): string | undefined {
  const ready = pods.filter(
    (p) =>
      p.metadata?.labels?.["seedbed.dev/component"] === "etcd" &&
      p.metadata.deletionTimestamp === undefined &&
      p.status?.phase === "Running" &&
      p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true,
  );
  const ordinal = (p: EtcdPodView): number => Number(/-(\d+)$/.exec(p.metadata?.name ?? "")?.[1] ?? Number.MAX_SAFE_INTEGER);
  return ready.sort((a, b) => ordinal(a) - ordinal(b))[0]?.metadata?.name;
}

/** Carries one accepted connection to its destination; rejects when the way there cannot be opened. */
export type Forward = (socket: Socket) => Promise<void>;

/** The part of the port-forward's web socket used here (the ws package's WebSocket). */
interface ForwardSocket {
  on(event: "close", listener: () => void): unknown;
  close(): void;
}

/**
 * Forwards each connection to `port` of a pod through the seed's API, as
 * kubectl port-forward does: one web socket per connection. What the
 * kubelet reports on the error stream (the port refused the connection)
 * resets the client's connection instead of ending it cleanly.
 */
export function podPortForward(kubeConfig: KubeConfig, namespace: string, pod: string, port: number): Forward {
  const portForward = new PortForward(kubeConfig);
  return async (socket) => {
    let failed = false;
    const errors = new Writable({
      write(chunk: Buffer, _encoding, done): void {
        // The stream's first message carries only the port number (stripped to nothing): no error.
        if (chunk.length > 0) failed = true;
        done();
      },
    });
    const ws = (await portForward.portForward(namespace, pod, [port], socket, errors, socket)) as unknown as ForwardSocket;
    ws.on("close", () => (failed ? socket.destroy() : socket.end()));
    // A client that went while the web socket opened: nothing will close it otherwise.
    if (socket.closed) ws.close();
    else socket.on("close", () => ws.close());
  };
}

/**
 * Writes a cluster's etcd client PEMs to a private directory and listens on
 * a free loopback port, each connection carried by `forward`: an etcd
 * endpoint for etcdctl on this machine (the etcd server certificate names
 * 127.0.0.1). close() stops listening, ends the open connections and
 * removes the files.
 */
export async function openEtcdConnection(options: { readonly pems: EtcdClientPEMs; readonly forward: Forward }): Promise<EtcdConnection> {
  // mkdtemp makes the directory 0700; the key is readable by this user only.
  const dir = await mkdtemp(join(tmpdir(), "seedbed-etcd-"));
  const files = pkiFiles(dir);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    // Errors end this connection only (the client sees a reset); the listener keeps serving.
    socket.on("error", () => socket.destroy());
    options.forward(socket).catch(() => socket.destroy());
  });
  try {
    for (const role of clientRoles) await writeFile(files[role], options.pems[role], { mode: 0o600 });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
  } catch (error) {
    server.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await stopped;
      await rm(dir, { recursive: true, force: true });
    })();
    return closed;
  };
  return { endpoint: `https://127.0.0.1:${port}`, caFile: files.etcdCABundle, certFile: files.apiServerEtcdClientCert, keyFile: files.apiServerEtcdClientKey, close };
}
