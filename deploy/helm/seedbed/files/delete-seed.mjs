// Run by the pre-delete hook (templates/seed-delete-hook.yaml) while the
// operator still runs: deletes the chart's Seed and waits until the operator
// has let it go, or refuses, naming them, while the Seed hosts Clusters.
// Helm would otherwise delete the Seed and the operator in one pass, and
// an operator gone first would leave the Seed Terminating for good (its
// finalizer seedbed.dev/seed-in-use). Node.js in the Seedbed image, working
// directory /app, so @kubernetes/client-node resolves from its node_modules.
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";

const name = process.env.SEED_NAME ?? "";
const timeoutMs = Number(process.env.TIMEOUT_SECONDS ?? "120") * 1000;
const kc = new KubeConfig();
kc.loadFromCluster();
const api = kc.makeApiClient(CustomObjectsApi);
const seeds = { group: "seedbed.dev", version: "v1alpha1", plural: "seeds" };
const notFound = (error) => error?.code === 404;
const readSeed = () => api.getClusterCustomObject({ ...seeds, name }).catch((error) => (notFound(error) ? undefined : Promise.reject(error)));

if ((await readSeed()) === undefined) {
  console.log(`Seed ${name} is already gone`);
  process.exit(0);
}
const clusters = (await api.listClusterCustomObject({ group: seeds.group, version: seeds.version, plural: "clusters" })).items;
const hosted = clusters.filter((c) => c.status?.seed === name).map((c) => `${c.metadata.namespace}/${c.metadata.name}`);
if (hosted.length > 0) {
  console.error(`Seed ${name} still hosts ${hosted.length} Cluster(s): ${hosted.join(", ")}. Delete them first (kubectl delete clusters.seedbed.dev -n <namespace> <name>), wait until they are gone, then run helm uninstall again.`);
  process.exit(1);
}
await api.deleteClusterCustomObject({ ...seeds, name }).catch((error) => (notFound(error) ? undefined : Promise.reject(error)));
const deadline = Date.now() + timeoutMs;
while (Date.now() < deadline) {
  if ((await readSeed()) === undefined) {
    console.log(`Seed ${name} deleted`);
    process.exit(0);
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
console.error(`Seed ${name} is still there after ${timeoutMs / 1000} s: kubectl describe seed ${name} says why (condition Deleting)`);
process.exit(1);
