import type { V1Node, V1PersistentVolume, V1PersistentVolumeClaim } from "@kubernetes/client-node";
import type { Logger } from "pino";
import {
  isConflict,
  isNotFound,
  removeFinalizer,
  TerminalError,
  type EventRecorder,
  type Informer,
  type ObjectClient,
  type ReconcileContext,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
} from "@seedbed/runtime";
import { ensureVolumeDirectory, removeVolumeDirectory } from "./directories.ts";
import { directoryFinalizer, hostnameLabel } from "./names.ts";
import { planClaim, planVolume } from "./plan.ts";
import { buildVolume, volumeDirectory } from "./volume.ts";

/** What the reconciler reads and writes. */
export interface LocalVolumeReconcilerOptions {
  readonly client: ObjectClient;
  readonly claims: Informer<V1PersistentVolumeClaim>;
  readonly volumes: Informer<V1PersistentVolume>;
  readonly events: EventRecorder;
  readonly className: string;
  readonly baseDir: string;
}

/**
 * One reconciler for both halves of a volume's life, keyed as the API keys
 * them: a request with a namespace is a claim (provision its PV), one
 * without is a PV (keep, reclaim or finalize its directory).
 *
 * Crash safety comes from one ordering: the PV is created before its
 * directory, and the directory is removed before the PV (or our finalizer
 * on it) goes. So a directory never exists without a PV naming it — the PV
 * is the record — and a provisioner killed at any point finds on restart
 * either nothing, or a PV whose reconcile makes or removes the directory.
 * No sweep of unreferenced directories is needed, and none could tell a
 * directory kept on purpose (reclaim policy Retain) from a leftover.
 */
export class LocalVolumeReconciler implements Reconciler {
  readonly #options: LocalVolumeReconcilerOptions;

  constructor(options: LocalVolumeReconcilerOptions) {
    this.#options = options;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    if (request.namespace === undefined) await this.#reconcileVolume(request.name, context.log);
    else await this.#reconcileClaim(request.namespace, request.name, context.log);
    return undefined;
  }

  async #reconcileClaim(namespace: string, name: string, log: Logger): Promise<void> {
    const claim = this.#options.claims.get(namespace, name);
    const plan = planClaim(claim, this.#options.className);
    if (!claim || plan.action === "none") return;
    if (plan.action === "wait") {
      log.debug({ reason: plan.reason }, "Waiting before provisioning");
      return;
    }
    if (plan.action === "reject") {
      this.#options.events.record(claim, { type: "Warning", reason: "ProvisioningFailed", action: "Provision", note: plan.message });
      throw new TerminalError(plan.message);
    }
    const volume = buildVolume(claim, this.#options.className, { baseDir: this.#options.baseDir, nodeHostname: await this.#hostnameOf(plan.node) });
    const created = await this.#create(volume);
    const dir = volume.spec?.local?.path ?? "";
    await ensureVolumeDirectory(dir);
    if (!created) return;
    log.info({ volume: volume.metadata?.name, node: plan.node, dir }, "Provisioned a local volume");
    this.#options.events.record(claim, { reason: "ProvisioningSucceeded", action: "Provision", note: `Successfully provisioned volume ${volume.metadata?.name ?? ""} on node ${plan.node}` });
  }

  /** The node's hostname label, which our node affinity matches (its name when unlabelled). */
  async #hostnameOf(node: string): Promise<string> {
    const found = await this.#options.client.request<V1Node>("GET", `/api/v1/nodes/${encodeURIComponent(node)}`);
    return found.metadata?.labels?.[hostnameLabel] ?? node;
  }

  /** Creates the PV; false if it exists already (made by an earlier pass that did not finish). */
  async #create(volume: V1PersistentVolume): Promise<boolean> {
    try {
      await this.#options.client.request("POST", "/api/v1/persistentvolumes", { body: volume });
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  async #reconcileVolume(name: string, log: Logger): Promise<void> {
    const volume = this.#options.volumes.get(undefined, name);
    const plan = planVolume(volume);
    if (!volume || plan.action === "none") return;
    const dir = volumeDirectory(this.#options.baseDir, name);
    // The path of a PV is immutable, so a mismatch means another base directory made it: not ours to touch.
    if (volume.spec?.local?.path !== dir) throw new TerminalError(`PV ${name} has local path ${volume.spec?.local?.path ?? "(none)"}, not ${dir}: it was made with another base directory; leaving it alone`);
    switch (plan.action) {
      case "ensureDirectory":
        // Normally made right after the PV; here when a provisioner died in between.
        if ((await ensureVolumeDirectory(dir)) && volume.status?.phase === "Bound") log.warn({ dir }, "Made the missing directory of a bound volume");
        return;
      case "reclaim":
        await removeVolumeDirectory(dir);
        await this.#delete(volume);
        log.info({ dir }, "Reclaimed a released volume");
        return;
      case "finalize":
        if (plan.removeDirectory) await removeVolumeDirectory(dir);
        await removeFinalizer(this.#options.client, volume, directoryFinalizer);
        return;
    }
  }

  /** Deletes the PV if it is still the one we saw (a uid precondition). */
  async #delete(volume: V1PersistentVolume): Promise<void> {
    const name = volume.metadata?.name ?? "";
    try {
      await this.#options.client.request("DELETE", `/api/v1/persistentvolumes/${encodeURIComponent(name)}`, {
        body: { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: volume.metadata?.uid } },
      });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }
}
