import {
  ClusterCertificatesStatus,
  completeCARotationAnnotation,
  currentClusterCA,
  isCARotationUnderway,
  outstandingKubeconfigs,
  readKubeconfigLedger,
  requestLedgerClient,
  rotateCAAnnotation,
  trustsCA,
  type Cluster,
  type KubeconfigRecord,
} from "@seedbed/api";
import type { ObjectClient } from "@seedbed/runtime";
import Type, { type TSchema } from "typebox";
import { HttpError } from "../errors.ts";
import { retryOnConflict } from "../kube/conflicts.ts";
import { fromKubeError } from "../kube/errors.ts";
import { trimmed } from "../kube/objects.ts";
import { clusters, projectObject } from "../kube/resources.ts";
import { clientFor, type App, type RouteContext } from "./context.ts";
import { bodyErrors, errors, objectSchema } from "./docs.ts";
import { objectName, objectParams } from "./objects.ts";

/** Who wrote the annotations, in managedFields (as the other routes). */
const fieldManager = "seedbed-server";

/** The body of POST …/rotate-ca. */
const RotateCABody = Type.Object({
  complete: Type.Optional(Type.Boolean({ description: "true: complete the Prepared rotation now (the old CAs stop being trusted) instead of starting one." })),
}, { additionalProperties: false });

/** A ledger record as the API shows it. */
const KubeconfigRecordSchema: TSchema = Type.Object({
  holder: Type.String({ description: "The user it was handed out to, as the management API knows them." }),
  kind: Type.String({ enum: ["admin", "token"], description: "admin: a client certificate; token: logs in with the platform's OIDC token." }),
  time: Type.String({ format: "date-time", description: "When it was last handed out to this holder." }),
  cas: Type.Array(Type.String(), { description: "SHA-256 fingerprints of the CAs in its certificate-authority-data." }),
  clientCA: Type.Optional(Type.String({ description: "admin: the fingerprint of the CA that signed its client certificate." })),
  via: Type.Optional(Type.String({ enum: ["cli", "api"] })),
});

/**
 * The annotation POST …/rotate-ca sets on `cluster`, or why it is refused
 * (409). Start: seedbed.dev/rotate-ca to `now`, unless a rotation runs
 * (a new value then would start another right after it). Complete:
 * seedbed.dev/complete-ca-rotation to the rotation's id, once it is
 * Prepared (again while Completing: nothing changes). Pure.
 */
export function rotateCAChange(cluster: Cluster, complete: boolean, now: Date): Record<string, string> | HttpError {
  const name = cluster.metadata.name ?? "";
  const rotation = cluster.status?.certificates?.rotation;
  if (!complete) {
    if (isCARotationUnderway(rotation)) return new HttpError(409, "Conflict", `cluster ${name}: CA rotation ${rotation?.id ?? ""} is under way (${rotation?.phase ?? ""}); start another once it is Completed, or complete a Prepared one with {"complete": true}`);
    return { [rotateCAAnnotation]: now.toISOString() };
  }
  if (rotation === undefined || rotation.phase === "Completed") return new HttpError(409, "Conflict", `cluster ${name} has no CA rotation to complete (none is under way): start one with POST …/clusters/${name}/rotate-ca`);
  if (rotation.phase === "Preparing") return new HttpError(409, "Conflict", `cluster ${name}: CA rotation ${rotation.id} is still Preparing (${rotation.message ?? "new CAs being rolled out"}); complete it once it is Prepared (GET …/clusters/${name}/certificates)`);
  return { [completeCARotationAnnotation]: rotation.id };
}

/**
 * POST /projects/:project/clusters/:cluster/rotate-ca, GET …/certificates
 * and GET …/kubeconfigs: start or complete a CA rotation, and what the
 * cluster's certificates and kubeconfig ledger say. All with the caller's
 * token: viewers read, editors and owners rotate (RBAC's 403 otherwise).
 */
export function certificateRoutes(app: App, ctx: RouteContext): void {
  const one = `/projects/:project/clusters/:${clusters.param}`;
  const tags = [clusters.path];

  app.post(`${one}/rotate-ca`, {
    schema: {
      tags,
      summary: "Start or complete a cluster's CA rotation",
      description: "Without a body or with {\"complete\": false}: sets the annotation seedbed.dev/rotate-ca; the cluster, etcd and front-proxy CAs and the service-account key rotate in stages (status.certificates.rotation: Preparing, Prepared — both trusted, refresh kubeconfigs —, Completing, Completed). 409 while one is under way. With {\"complete\": true}: completes a Prepared rotation now (annotation seedbed.dev/complete-ca-rotation); kubeconfigs trusting only the old CA (GET …/certificates lists them) stop working. 409 when none is Prepared.",
      params: objectParams(clusters),
      body: RotateCABody,
      response: { 200: objectSchema(clusters.definition), ...errors(404, 409, 422, ...bodyErrors) },
    },
    // No body at all means {}: `curl -X POST …/rotate-ca` starts a rotation.
    preValidation: (request, _reply, done) => {
      // Typed as the schema's, but absent until validation has run.
      const body: unknown = request.body;
      if (body === undefined) request.body = {};
      done();
    },
  }, async (request) => {
    const path = projectObject(clusters, request.params.project, objectName(request.params, clusters));
    const client = clientFor(ctx, request);
    try {
      const rotated = await retryOnConflict(async () => {
        const cluster = await client.request<Cluster>("GET", path);
        const change = rotateCAChange(cluster, request.body.complete === true, new Date());
        if (change instanceof HttpError) throw change;
        return client.request<Cluster>("PATCH", path, {
          body: { metadata: { resourceVersion: cluster.metadata.resourceVersion, annotations: change } },
          contentType: "application/merge-patch+json",
          query: { fieldManager },
        });
      });
      return trimmed(rotated, clusters);
    } catch (error) {
      throw fromKubeError(error);
    }
  });

  app.get(`${one}/certificates`, {
    schema: {
      tags,
      summary: "A cluster's certificates and who still holds its old CA",
      description: "status.certificates (each CA's fingerprint and expiry, each leaf's expiry, the rotation and its phase) and the kubeconfigs handed out that do not trust the current cluster CA: they stop working when a rotation completes.",
      params: objectParams(clusters),
      response: {
        200: Type.Object({ certificates: ClusterCertificatesStatus, outstandingKubeconfigs: Type.Array(KubeconfigRecordSchema) }),
        ...errors(400, 404),
      },
    },
  }, async (request) => {
    const client = clientFor(ctx, request);
    try {
      const { cluster, ledger } = await clusterAndLedger(client, request.params.project, objectName(request.params, clusters));
      return { certificates: cluster.status?.certificates ?? {}, outstandingKubeconfigs: outstandingKubeconfigs(ledger, currentClusterCA(cluster)) };
    } catch (error) {
      throw fromKubeError(error);
    }
  });

  app.get(`${one}/kubeconfigs`, {
    schema: {
      tags,
      summary: "The kubeconfigs handed out for a cluster",
      description: "The kubeconfig ledger: the latest kubeconfig of each kind handed out to each user, the CAs it trusts, and whether it trusts the current cluster CA (false: it stops working when a CA rotation completes; `seedbed kubeconfig` or GET …/kubeconfig hands out a fresh one).",
      params: objectParams(clusters),
      response: {
        200: Type.Object({
          currentCA: Type.Optional(Type.String({ description: "The current cluster CA's fingerprint." })),
          kubeconfigs: Type.Array(Type.Intersect([KubeconfigRecordSchema, Type.Object({ trustsCurrentCA: Type.Boolean() })])),
        }),
        ...errors(400, 404),
      },
    },
  }, async (request) => {
    const client = clientFor(ctx, request);
    try {
      const { cluster, ledger } = await clusterAndLedger(client, request.params.project, objectName(request.params, clusters));
      const current = currentClusterCA(cluster);
      return { ...(current === undefined ? {} : { currentCA: current }), kubeconfigs: ledger.map((record) => ({ ...record, trustsCurrentCA: current !== undefined && trustsCA(record, current) })) };
    } catch (error) {
      throw fromKubeError(error);
    }
  });
}

/** The cluster (read first: non-members get 403/404 before the ledger is touched) and its ledger. */
async function clusterAndLedger(client: ObjectClient, project: string, name: string): Promise<{ cluster: Cluster; ledger: KubeconfigRecord[] }> {
  const cluster = await client.request<Cluster>("GET", projectObject(clusters, project, name));
  return { cluster, ledger: await readKubeconfigLedger(requestLedgerClient(client), cluster) };
}
