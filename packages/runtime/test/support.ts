// Shared pieces of the runtime's integration tests: kinds, a test CRD,
// namespaces, gates that hold a reconcile, captured logs and a TCP proxy that
// can cut the network between a client and the real kube-apiserver.
import { createServer, connect, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { KindRef } from "../src/client/kind.ts";
import { ObjectClient } from "../src/client/object-client.ts";
import { apply } from "../src/helpers/apply.ts";
import { createLogger } from "../src/logging/logger.ts";

/** core/v1 ConfigMap. */
export const configMapKind: KindRef = { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true };

/** The test CRD's group. */
export const widgetGroup = "runtime.seedbed.dev";

/** A namespaced test kind with a status subresource. */
export const widgetKind: KindRef = { apiVersion: `${widgetGroup}/v1`, kind: "Widget", plural: "widgets", namespaced: true };

/**
 * Installs the Widget CRD and waits until it is Established. Sent as raw
 * JSON through ObjectClient: client-node's typed ApiextensionsV1Api knows
 * "x-kubernetes-preserve-unknown-fields" only as x_kubernetes_preserve_unknown_fields
 * and silently drops the JSON spelling.
 */
export async function installWidgetCRD(kc: KubeConfig): Promise<void> {
  const client = ObjectClient.fromKubeConfig(kc);
  const anyObject = { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  const name = `widgets.${widgetGroup}`;
  await apply(client, {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name },
    spec: {
      group: widgetGroup,
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: "object", properties: { spec: anyObject, status: anyObject } } },
        },
      ],
    },
  } as KubernetesObject);
  for (let i = 0; i < 100; i++) {
    const crd = await client.request<{ status?: { conditions?: { type: string; status: string }[] } }>("GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return;
    await sleep(100);
  }
  throw new Error("the Widget CRD never became Established");
}

/** Creates a namespace for one test, so tests of a file do not see each other's objects. */
export async function createNamespace(kc: KubeConfig, name: string): Promise<string> {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

/** A point where a test holds a reconcile until it lets go, and learns that the reconcile got there. */
export interface Gate {
  /** Resolves once `open` is called. */
  wait(): Promise<void>;
  open(): void;
  /** Called by the held code when it reaches the gate. */
  reached(): void;
  /** Resolves once `reached` was called. */
  whenReached(): Promise<void>;
}

/** A closed gate. */
export function gate(): Gate {
  let open = (): void => undefined;
  let reached = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  return { wait: () => opened, open, reached, whenReached: () => arrived };
}

/** A logger whose lines are kept in memory, parsed, for assertions on what was logged. */
export function capturedLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "debug",
    destination: {
      write(line: string): void {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  });
  return { logger, lines };
}

/** A TCP proxy to the API server that can drop every connection and refuse new ones: a network partition. */
export interface Partition {
  /** A copy of the kubeconfig pointing at the proxy. */
  readonly kubeConfig: KubeConfig;
  cut(): void;
  heal(): void;
  close(): Promise<void>;
}

/** Starts a proxy in front of `kc`'s server (TLS passes through untouched; the certificate names 127.0.0.1). */
export async function startPartition(kc: KubeConfig, freshKubeConfig: () => KubeConfig): Promise<Partition> {
  const target = new URL(kc.getCurrentCluster()?.server ?? "");
  const sockets = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(a);
      a.on("error", () => b.destroy());
      a.on("close", () => {
        sockets.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const proxied = freshKubeConfig();
  const cluster = proxied.getCurrentCluster();
  if (!cluster) throw new Error("no cluster in the kubeconfig");
  proxied.clusters = proxied.clusters.map((c) => (c.name === cluster.name ? { ...c, server: `https://127.0.0.1:${port}` } : c));
  return {
    kubeConfig: proxied,
    cut(): void {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    heal(): void {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
