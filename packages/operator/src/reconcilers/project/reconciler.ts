import { isDeepStrictEqual } from "node:util";
import type { Project } from "@seedbed/api";
import { apply, applyStatus, isConflict, isNotFound, setCondition, systemClock, type Clock, type ObjectClient, type ReconcileResult, type Reconciler, type ReconcileRequest } from "@seedbed/runtime";
import { projectNamespace, renderProject } from "./render.ts";

/**
 * Gives each Project its namespace project-<name> (owned by the Project, so
 * deleting the Project deletes the namespace and every cluster in it),
 * RoleBindings of its members to the owner, editor and viewer ClusterRoles
 * there, and a ResourceQuota counting its clusters and node pools. The
 * management kube-apiserver enforces both; nothing here re-implements RBAC.
 */
export class ProjectReconciler implements Reconciler {
  readonly #client: ObjectClient;
  readonly #project: (name: string) => Project | undefined;
  readonly #clock: Clock;

  constructor(options: { client: ObjectClient; project: (name: string) => Project | undefined; clock?: Clock }) {
    this.#client = options.client;
    this.#project = options.project;
    this.#clock = options.clock ?? systemClock;
  }

  async reconcile(request: ReconcileRequest): Promise<ReconcileResult | undefined> {
    const project = this.#project(request.name);
    // Deleted: the namespace goes with it through its owner reference.
    if (!project || project.metadata.deletionTimestamp !== undefined) return undefined;
    const objects = renderProject(project);
    for (const object of objects) await apply(this.#client, object);
    if (!objects.some((o) => o.kind === "ResourceQuota")) await this.#deleteQuota(projectNamespace(request.name));
    await this.#writeStatus(project);
    return undefined;
  }

  async #deleteQuota(namespace: string): Promise<void> {
    await this.#client.request("DELETE", `/api/v1/namespaces/${namespace}/resourcequotas/seedbed-project`).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }

  async #writeStatus(project: Project): Promise<void> {
    const name = project.metadata.name ?? "";
    const conditions = setCondition(project.status?.conditions ?? [], { type: "Ready", status: "True", reason: "Provisioned", message: `namespace ${projectNamespace(name)}, member bindings and quota are in place`, observedGeneration: project.metadata.generation }, this.#clock.now());
    const status = { ...project.status, phase: "Active" as const, namespace: projectNamespace(name), conditions, observedGeneration: project.metadata.generation };
    if (isDeepStrictEqual(status, project.status)) return;
    try {
      await applyStatus(this.#client, { apiVersion: project.apiVersion, kind: project.kind, metadata: { name }, status });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }
}
