import { isUpgradeUnderway, type Cluster, type ClusterUpgradeStatus } from "@seedbed/api";
import { minorNumberOf, pinnedKubernetesVersion } from "@seedbed/binaries";
import type { ObjectClient } from "@seedbed/runtime";
import Type from "typebox";
import { HttpError } from "../errors.ts";
import { retryOnConflict } from "../kube/conflicts.ts";
import { fromKubeError } from "../kube/errors.ts";
import { trimmed } from "../kube/objects.ts";
import { clusters, projectObject } from "../kube/resources.ts";
import { clientFor, type App, type RouteContext } from "./context.ts";
import { bodyErrors, errors, objectSchema } from "./docs.ts";
import { objectName, objectParams } from "./objects.ts";

/** Who wrote spec.version, in managedFields (as the other routes). */
const fieldManager = "seedbed-server";

/** The form admission accepts for spec.version. */
const versionPattern = "^1\\.[0-9]+(\\.[0-9]+)?$";

/** The body of POST …/upgrade. */
const UpgradeBody = Type.Object({
  version: Type.String({ pattern: versionPattern, maxLength: 16, description: "The Kubernetes version to go to, MAJOR.MINOR or MAJOR.MINOR.PATCH (e.g. \"1.37\"): an offered one, the next minor at most (admission refuses others with 422, field spec.version)." }),
}, { additionalProperties: false });

/** A type guard over isUpgradeUnderway, so that the record is known to exist. */
function underWay(upgrade: ClusterUpgradeStatus | undefined): upgrade is ClusterUpgradeStatus {
  return isUpgradeUnderway(upgrade);
}

/** The patch release a version asks for ("1.37" → "1.37.1"), or the version itself when no pin matches. */
function pinnedOrSelf(version: string): string {
  try {
    return pinnedKubernetesVersion(version) ?? version;
  } catch {
    return version; // not a version at all: admission names the field
  }
}

/**
 * Why an upgrade of `cluster` to `version` is refused before it reaches
 * admission, or undefined to send it on. Admission checks spec.version
 * against its old value (offered, no skipped minor, no downgrade); what
 * it cannot see is checked here: another upgrade or rollback under way
 * (409), and a cluster whose version came from its template or the
 * platform (spec.version unset), checked against the version it runs
 * (422, as admission would answer). Pure.
 */
export function upgradeRefusal(cluster: Cluster, version: string): HttpError | undefined {
  const name = cluster.metadata.name ?? "";
  const upgrade = cluster.status?.upgrade;
  if (underWay(upgrade) && minorNumberOf(upgrade.phase === "RollingBack" ? upgrade.from : upgrade.to) !== minorNumberOf(version)) {
    const what = upgrade.phase === "RollingBack" ? `a rollback to ${upgrade.from}` : `an upgrade to ${upgrade.to}`;
    return new HttpError(409, "Conflict", `cluster ${name}: ${what} is under way (step ${upgrade.step}); upgrade once it is done`, "spec.version");
  }
  const running = cluster.status?.version;
  // Nothing to do is said, not answered as an upgrade begun (a bulk upgrade
  // from the dashboard lists it as such). A cluster without spec.version
  // may still have its running version written down: that pins it.
  const unchanged = cluster.spec.version !== undefined && pinnedOrSelf(cluster.spec.version) === running && pinnedOrSelf(version) === running;
  if (!underWay(upgrade) && running !== undefined && unchanged) return new HttpError(409, "Conflict", `cluster ${name} already runs ${running}: nothing to upgrade`, "spec.version");
  if (cluster.spec.version !== undefined || running === undefined) return undefined;
  const from = minorNumberOf(running);
  const to = minorNumberOf(version);
  if (from === undefined || to === undefined) return undefined;
  if (to < from) return new HttpError(422, "Invalid", `cannot downgrade from ${running} to ${version}: Kubernetes supports upgrades only; only the last upgrade can be undone (POST …/clusters/${name}/rollback)`, "spec.version");
  if (to > from + 1) return new HttpError(422, "Invalid", `cannot go from ${running} to ${version} in one step: upgrade one minor at a time`, "spec.version");
  return undefined;
}

/**
 * The version a rollback of `cluster` sets spec.version back to:
 * status.upgrade.from, while the last upgrade is Upgrading, Failed or
 * Completed; the version it has when a rollback is under way already (a
 * patch that changes nothing, so that RBAC still decides who may ask).
 * Else a 409 saying why there is nothing to roll back. Pure.
 */
export function rollbackTarget(cluster: Cluster): string | HttpError {
  const name = cluster.metadata.name ?? "";
  const upgrade = cluster.status?.upgrade;
  if (upgrade === undefined) return new HttpError(409, "Conflict", `cluster ${name} has no upgrade to roll back (status.upgrade is empty): only the last upgrade can be undone`);
  if (upgrade.phase === "RollingBack") return cluster.spec.version ?? upgrade.from;
  if (upgrade.phase === "RolledBack") return new HttpError(409, "Conflict", `cluster ${name} was rolled back to ${upgrade.from} already: only the last upgrade can be undone, once`);
  if (upgrade.phase === "Failed" && upgrade.rollback === true) return new HttpError(409, "Conflict", `the rollback of cluster ${name} to ${upgrade.from} failed at step ${upgrade.step}: ${upgrade.message ?? "see status.upgrade"}`);
  return upgrade.from;
}

/** Sets spec.version of the cluster as read (its resourceVersion in the patch: a cluster changed meanwhile is a 409, and the route reads and decides again). */
async function setVersion(client: ObjectClient, path: string, cluster: Cluster, version: string): Promise<Cluster> {
  return client.request<Cluster>("PATCH", path, {
    body: { metadata: { resourceVersion: cluster.metadata.resourceVersion }, spec: { version } },
    contentType: "application/merge-patch+json",
    query: { fieldManager, fieldValidation: "Strict" },
  });
}

/**
 * POST /projects/:project/clusters/:cluster/upgrade `{ "version": "1.37" }`
 * and POST …/rollback: spec.version to the next minor, or back to the
 * version the last upgrade came from. Both read and patch the cluster with
 * the caller's token (so viewers get RBAC's 403) and answer the Cluster;
 * admission's refusals (a skipped minor, a version not offered, a
 * downgrade) come back as its 422, naming spec.version.
 */
export function upgradeRoutes(app: App, ctx: RouteContext): void {
  const one = `/projects/:project/clusters/:${clusters.param}`;
  const tags = [clusters.path];

  app.post(`${one}/upgrade`, {
    schema: {
      tags,
      summary: "Upgrade a cluster",
      description: "Sets spec.version: the platform takes a pre-upgrade etcd snapshot, then upgrades etcd, kube-apiserver, the controllers and the node pools in the version-skew order, reporting each step in status.upgrade (condition Upgrade). One minor at a time; 409 while another upgrade or a rollback is under way.",
      params: objectParams(clusters),
      body: UpgradeBody,
      response: { 200: objectSchema(clusters.definition), ...errors(400, 404, 409, 413, 415, 422) },
    },
  }, async (request) => {
    const path = projectObject(clusters, request.params.project, objectName(request.params, clusters));
    const client = clientFor(ctx, request);
    try {
      const upgraded = await retryOnConflict(async () => {
        const cluster = await client.request<Cluster>("GET", path);
        const refusal = upgradeRefusal(cluster, request.body.version);
        if (refusal !== undefined) throw refusal;
        return setVersion(client, path, cluster, request.body.version);
      });
      return trimmed(upgraded, clusters);
    } catch (error) {
      throw fromKubeError(error);
    }
  });

  app.post(`${one}/rollback`, {
    schema: {
      tags,
      summary: "Roll back a cluster's last upgrade",
      description: "Sets spec.version back to status.upgrade.from while the last upgrade is Upgrading, Failed or Completed: node pools go back first, then etcd is restored from the pre-upgrade snapshot (what was written since is lost; kept when the upgrade took none) and the control plane runs the old version again. A rollback under way is answered as it is; 409 when there is nothing to roll back.",
      params: objectParams(clusters),
      response: { 200: objectSchema(clusters.definition), ...errors(404, 409, 422, ...bodyErrors) },
    },
  }, async (request) => {
    const path = projectObject(clusters, request.params.project, objectName(request.params, clusters));
    const client = clientFor(ctx, request);
    try {
      const rolledBack = await retryOnConflict(async () => {
        const cluster = await client.request<Cluster>("GET", path);
        const target = rollbackTarget(cluster);
        if (target instanceof HttpError) throw target;
        return setVersion(client, path, cluster, target);
      });
      return trimmed(rolledBack, clusters);
    } catch (error) {
      throw fromKubeError(error);
    }
  });
}
