import type { KubeConfig } from "@kubernetes/client-node";
import type { Project } from "@seedbed/api";
import { Informer } from "@seedbed/runtime";
import type { Logger } from "pino";
import { HttpError } from "../errors.ts";
import { projects } from "./resources.ts";

/**
 * Every Project, kept current by a watch made with the server's own
 * identity. Reading who is a member of what is not acting for a user: it
 * only decides which projects a caller is shown, while every read and
 * write inside a project goes out with the caller's token.
 */
export class ProjectsCache {
  readonly #informer: Informer<Project>;

  /** A cache that watches nothing until `start()`. */
  constructor(kubeConfig: KubeConfig, logger: Logger) {
    this.#informer = new Informer<Project>({ kubeConfig, kind: projects, logger });
  }

  /** Starts watching; resolves once the first list is in, or after `timeoutMs` (routes then answer 503 until it is). */
  async start(timeoutMs: number): Promise<boolean> {
    this.#informer.start();
    return this.#informer.waitForSync(AbortSignal.timeout(timeoutMs));
  }

  /** Stops watching. */
  async stop(): Promise<void> {
    await this.#informer.stop();
  }

  /** Every project, sorted by name; 503 before the first list. */
  list(): Project[] {
    this.#ensureSynced();
    return [...this.#informer.list()].sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
  }

  /** One project, or undefined; 503 before the first list. */
  get(name: string): Project | undefined {
    this.#ensureSynced();
    return this.#informer.get(undefined, name);
  }

  #ensureSynced(): void {
    if (!this.#informer.hasSynced()) throw new HttpError(503, "ServiceUnavailable", "the server has not loaded the projects yet; try again shortly");
  }
}
