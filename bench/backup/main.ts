// Backup and restore of a tenant etcd holding 10 MB, 100 MB and 1 GB of
// objects (decimal MB, etcd's own database size): Seedbed's path (snapshot,
// checks, multipart upload with checksums to S3; download, checks,
// etcdutl restore with the revision bumped) beside `etcdctl snapshot save`
// and `etcdutl snapshot restore` run by hand on the same etcd in the same
// run. Each is run --runs times at each size, alternating which goes first,
// and the medians are compared (target: Seedbed at most 1.2 × by hand).
// The etcd runs behind a real kube-apiserver (fsync on, unless
// --unsafe-no-fsync), the store is the embedded S3 server (versitygw), both
// on this machine's disk under one temporary directory removed at the end.
// Usage: npm run bench -- backup [--sizes 10,100,1000] [--runs 3] [--value-kib 900] [--concurrency 4] [--unsafe-no-fsync]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { startEmbeddedS3, type EmbeddedS3, type EtcdClient } from "@seedbed/backup";
import { binaryVersion } from "@seedbed/binaries";
import { reservePorts, startStandaloneControlPlane, type PortReservation, type StandaloneControlPlane } from "@seedbed/controlplane";
import { byHandBackup, byHandRestore } from "./by-hand.ts";
import { bytesPerMB, compare, parseSizes, parseWholeNumber, type Comparison, type Timing } from "./figures.ts";
import { Filler } from "./fill.ts";
import { seedbedBackup, seedbedRestore, type StoreAccess } from "./seedbed.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10,100,1000" },
    runs: { type: "string", default: "3" },
    "value-kib": { type: "string", default: "900" },
    concurrency: { type: "string", default: "4" },
    "unsafe-no-fsync": { type: "boolean", default: false },
  },
});
const sizes = parseSizes(values.sizes);
const runs = parseWholeNumber("runs", values.runs, 1);
// A ConfigMap holds at most 1 MiB in all.
const valueKiB = parseWholeNumber("value-kib", values["value-kib"], 1);
if (valueKiB > 1000) throw new Error(`--value-kib must be at most 1000 (a ConfigMap holds at most 1 MiB), got ${valueKiB}`);
const concurrency = parseWholeNumber("concurrency", values.concurrency, 1);
const fsync = !values["unsafe-no-fsync"];
const log = (message: string): boolean => process.stderr.write(`[backup] ${message}\n`);
const mb = (bytes: number): string => `${(bytes / bytesPerMB).toFixed(1)} MB`;

/** One size's figures. */
interface SizeFigures {
  readonly targetMB: number;
  readonly configMaps: number;
  readonly dbBytes: number;
  readonly snapshotBytes: number;
  readonly keys: number;
  readonly fillSeconds: number;
  readonly backup: Comparison;
  readonly restore: Comparison;
}

const dir = mkdtempSync(join(tmpdir(), "seedbed-bench-backup-"));
let reservation: PortReservation | undefined;
let plane: StandaloneControlPlane | undefined;
let s3: EmbeddedS3 | undefined;
let cleaning: Promise<void> | undefined;
/** Stops what was started, last first, and removes every file; once, whether from the end, a failure or a signal. */
const cleanUp = (): Promise<void> =>
  (cleaning ??= (async () => {
    await s3?.stop().catch((error: unknown) => log(`stopping the S3 server: ${String(error)}`));
    await plane?.stop().catch((error: unknown) => log(`stopping the control plane: ${String(error)}`));
    reservation?.release();
    rmSync(dir, { recursive: true, force: true });
  })());
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

try {
  reservation = await reservePorts(3);
  const [apiServer = 0, etcdClient = 0, etcdPeer = 0] = reservation.ports;
  plane = await startStandaloneControlPlane({ dir: join(dir, "plane"), ports: { apiServer, etcdClient, etcdPeer }, unsafeNoFsync: !fsync });
  s3 = await startEmbeddedS3({ dataDir: join(dir, "s3") });
  const etcd: EtcdClient = { endpoint: `https://127.0.0.1:${etcdClient}`, caFile: plane.pki.etcdCACert, certFile: plane.pki.apiServerEtcdClientCert, keyFile: plane.pki.apiServerEtcdClientKey };
  const access: StoreAccess = { location: { ...s3.location, prefix: "clusters/bench/" }, credentials: s3.credentials };
  const kc = new KubeConfig();
  kc.loadFromString(plane.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: "fill" } } });
  const filler = new Filler({ core, etcd, namespace: "fill", valueBytes: valueKiB * 1024, concurrency, log });
  log(`etcd ${binaryVersion("etcd")} (fsync ${fsync ? "on" : "off"}) behind kube-apiserver, versitygw on ${s3.location.endpoint}; sizes ${sizes.join(", ")} MB, ${runs} runs each`);

  const figures: SizeFigures[] = [];
  for (const targetMB of sizes) {
    const began = performance.now();
    const dbBytes = await filler.fillTo(targetMB * bytesPerMB);
    const fillSeconds = (performance.now() - began) / 1000;
    log(`${targetMB} MB: etcd holds ${mb(dbBytes)} (${filler.written} ConfigMaps) after ${fillSeconds.toFixed(1)} s of filling`);
    figures.push({ targetMB, configMaps: filler.written, dbBytes, fillSeconds: Math.round(fillSeconds * 10) / 10, ...(await measureSize(etcd, access, targetMB)) });
  }
  console.log(JSON.stringify({ benchmark: "backup", etcd: binaryVersion("etcd"), fsync, runs, valueKiB, concurrency, sizes: figures, ratioTarget: 1.2 }));
} finally {
  await cleanUp();
}

/** --runs rounds of both backups then both restores at the current size; the medians and ratios. */
async function measureSize(etcd: EtcdClient, access: StoreAccess, targetMB: number): Promise<Pick<SizeFigures, "snapshotBytes" | "keys" | "backup" | "restore">> {
  const work = join(dir, `work-${targetMB}`);
  const timings = { seedbedBackup: [] as Timing[], byHandBackup: [] as Timing[], seedbedRestore: [] as Timing[], byHandRestore: [] as Timing[] };
  let snapshot = { bytes: 0, keys: 0 };
  for (let run = 0; run < runs; run++) {
    // Alternate who goes first: the second finds the etcd's pages and the page cache warmer.
    const seedbedFirst = run % 2 === 0;
    const file = { seedbed: `${work}-seedbed-${run}.db`, byHand: `${work}-by-hand-${run}.db`, downloaded: `${work}-downloaded-${run}.db` };
    const restored = { seedbed: `${work}-seedbed-${run}.etcd`, byHand: `${work}-by-hand-${run}.etcd` };
    const key = `size-${targetMB}-run-${run}.db`;
    let sha256 = "";
    const backups = [
      async (): Promise<void> => {
        const { timing, facts } = await seedbedBackup(etcd, access, key, file.seedbed);
        // The operator removes its local copy once stored.
        rmSync(file.seedbed, { force: true });
        timings.seedbedBackup.push(timing);
        sha256 = facts.sha256;
        snapshot = { bytes: facts.sizeBytes, keys: facts.totalKeys };
      },
      async (): Promise<void> => void timings.byHandBackup.push(await byHandBackup(etcd, file.byHand)),
    ];
    const restores = [
      async (): Promise<void> => {
        timings.seedbedRestore.push(await seedbedRestore(access, key, sha256, file.downloaded, restored.seedbed));
        rmSync(file.downloaded, { force: true });
        rmSync(restored.seedbed, { recursive: true, force: true });
      },
      async (): Promise<void> => {
        timings.byHandRestore.push(await byHandRestore(file.byHand, restored.byHand));
        rmSync(file.byHand, { force: true });
        rmSync(restored.byHand, { recursive: true, force: true });
      },
    ];
    for (const step of seedbedFirst ? backups : backups.reverse()) await step();
    for (const step of seedbedFirst ? restores : restores.reverse()) await step();
    await s3?.store.delete(`clusters/bench/${key}`);
    const last = (list: Timing[]): string => `${((list.at(-1)?.totalMs ?? 0) / 1000).toFixed(2)} s`;
    log(`${targetMB} MB run ${run + 1}/${runs}: backup Seedbed ${last(timings.seedbedBackup)} by hand ${last(timings.byHandBackup)}; restore Seedbed ${last(timings.seedbedRestore)} by hand ${last(timings.byHandRestore)}`);
  }
  const backup = compare(timings.seedbedBackup, timings.byHandBackup);
  const restore = compare(timings.seedbedRestore, timings.byHandRestore);
  log(`${targetMB} MB (snapshot ${mb(snapshot.bytes)}, ${snapshot.keys} keys): backup ${backup.seedbedMs} ms vs ${backup.byHandMs} ms (× ${backup.ratio}) ${JSON.stringify(backup.seedbedPhasesMs)}; restore ${restore.seedbedMs} ms vs ${restore.byHandMs} ms (× ${restore.ratio}) ${JSON.stringify(restore.seedbedPhasesMs)}`);
  return { snapshotBytes: snapshot.bytes, keys: snapshot.keys, backup, restore };
}
