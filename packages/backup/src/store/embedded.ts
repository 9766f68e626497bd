import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { binaryPath } from "@seedbed/binaries";
import { findProcessesByMarker, ManagedProcess, probe, processMarkerVariable, reservePorts, waitForReady, type PortReservation } from "@seedbed/controlplane";
import { S3Store, type S3Credentials, type S3Location } from "./s3-store.ts";

/** The platform's own S3 server, with the store Seedbed keeps snapshots in. */
export interface EmbeddedS3 {
  readonly location: S3Location;
  readonly credentials: S3Credentials;
  /** A client of the store (its bucket exists). */
  readonly store: S3Store;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Options of the embedded S3 server. */
export interface EmbeddedS3Options {
  /** Objects, metadata, credentials and the log live here (under $SEEDBED_HOME for `make up`). */
  readonly dataDir: string;
  /** The loopback port; a free one when absent. */
  readonly port?: number;
  readonly bucket?: string;
}

/**
 * Starts versitygw (built from its Go module like the other binaries) with
 * its POSIX backend on `dataDir`: buckets are directories, objects files,
 * metadata in a sidecar directory (no extended attributes needed from the
 * filesystem). It listens on loopback only. Its root credentials are made
 * once and kept in `dataDir/credentials.json` (0600), and reach the server
 * through its environment, never its command line. A server a killed
 * platform left running on the same data is adopted (or replaced).
 */
export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  const { dataDir } = options;
  const objects = join(dataDir, "objects");
  const meta = join(dataDir, "meta");
  for (const dir of [objects, meta]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const credentials = loadOrMakeCredentials(join(dataDir, "credentials.json"));
  const { server, port, reservation } = await adoptOrStart(options, credentials, { objects, meta });
  const location: S3Location = { endpoint: `http://127.0.0.1:${port}`, bucket: options.bucket ?? "seedbed-backups", region: "us-east-1" };
  const store = new S3Store(location, credentials);
  try {
    await waitForReady({ url: `${location.endpoint}/health`, tls: {}, process: server, timeoutMs: 30_000 });
    await store.ensureBucket();
  } catch (error) {
    store.close();
    await server.stop();
    reservation?.release();
    throw error;
  }
  return {
    location,
    credentials,
    store,
    pid: server.pid,
    async stop() {
      store.close();
      await server.stop();
      reservation?.release();
    },
  };
}

/**
 * The server an earlier run left on this data when it still answers on its
 * recorded port (a platform killed with SIGKILL), else a new one; a stale
 * one is stopped first: never two servers on the same files.
 */
async function adoptOrStart(options: EmbeddedS3Options, credentials: S3Credentials, dirs: { objects: string; meta: string }): Promise<{ server: ManagedProcess; port: number; reservation?: PortReservation }> {
  const { dataDir } = options;
  const marker = `seedbed-s3:${dataDir}`;
  const portFile = join(dataDir, "port");
  const recorded = existsSync(portFile) ? Number(readFileSync(portFile, "utf8")) : undefined;
  const spec = {
    name: "versitygw",
    command: binaryPath("versitygw"),
    args: [] as string[],
    env: { ROOT_ACCESS_KEY_ID: credentials.accessKeyId, ROOT_SECRET_ACCESS_KEY: credentials.secretAccessKey, [processMarkerVariable]: marker },
  };
  const logFile = join(dataDir, "versitygw.log");
  const running = findProcessesByMarker(marker);
  const [pid] = running;
  const wanted = options.port ?? recorded;
  if (running.length === 1 && pid !== undefined && recorded !== undefined && wanted === recorded && (await answers(`http://127.0.0.1:${recorded}/health`))) {
    return { server: ManagedProcess.adopt(spec, logFile, pid), port: recorded };
  }
  for (const stale of running) await ManagedProcess.adopt(spec, logFile, stale).stop();
  const reservation = options.port === undefined ? await reservePorts(1) : undefined;
  const port = options.port ?? reservation?.ports[0] ?? 0;
  const server = await ManagedProcess.start({ ...spec, args: ["--port", `127.0.0.1:${port}`, "--health", "/health", "--quiet", "posix", "--sidecar", dirs.meta, dirs.objects] }, { logFile, cwd: dataDir });
  writeFileSync(portFile, String(port));
  return { server, port, ...(reservation ? { reservation } : {}) };
}

function loadOrMakeCredentials(file: string): S3Credentials {
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as S3Credentials;
  const credentials = { accessKeyId: `seedbed${randomBytes(6).toString("hex")}`, secretAccessKey: randomBytes(24).toString("base64url") };
  writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

/** Whether a running server answers its health check: a few tries, as a busy machine may keep it from answering at once. */
async function answers(url: string): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    if ((await probe(url, {}, 2000)) === 200) return true;
    await sleep(500);
  }
  return false;
}
