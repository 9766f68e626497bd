import { join } from "node:path";
import type { HealthCheck, RenderedComponent } from "../render/control-plane.ts";
import type { Launcher } from "./launcher.ts";
import type { ManagedProcess } from "./process.ts";
import { waitForReady, type ProbeTLS } from "./readiness.ts";

/** How to start a rendered control plane. */
export interface StartComponentsOptions {
  readonly launcher: Launcher;
  readonly logDir: string;
  /** TLS material for health checks that verify against the cluster CA. */
  readonly adminTLS: ProbeTLS;
  readonly timeoutMs: number;
}

/** The TLS settings of a health check. */
export function probeTLS(health: HealthCheck, adminTLS: ProbeTLS): ProbeTLS {
  switch (health.tls) {
    case "admin":
      return adminTLS;
    case "selfSigned":
      return { insecureSkipVerify: true };
    case "plain":
      return {};
  }
}

/**
 * Launches rendered components and waits until each is healthy: etcd and
 * kube-apiserver together (the apiserver retries until etcd answers, which
 * saves etcd's start-up time), then the rest together once the API serves.
 */
export async function startComponents(components: readonly RenderedComponent[], options: StartComponentsOptions): Promise<Map<string, ManagedProcess>> {
  const started = new Map<string, ManagedProcess>();
  const launch = async (component: RenderedComponent): Promise<void> => {
    const proc = await options.launcher.launch(component.spec, join(options.logDir, `${component.spec.name}.log`));
    started.set(component.spec.name, proc);
  };
  const wait = (component: RenderedComponent): Promise<void> => {
    const proc = started.get(component.spec.name);
    if (!proc) throw new Error(`${component.spec.name} was not launched`);
    return waitForReady({ url: component.health.url, tls: probeTLS(component.health, options.adminTLS), process: proc, timeoutMs: options.timeoutMs });
  };
  const [etcd, apiServer, ...rest] = components;
  if (!etcd || !apiServer) throw new Error("a control plane needs etcd and kube-apiserver");
  await launch(etcd);
  await launch(apiServer);
  await wait(apiServer);
  for (const component of rest) await launch(component);
  await Promise.all(rest.map(wait));
  return started;
}
