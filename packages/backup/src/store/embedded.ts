import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { binaryPath } from "@seedbed/binaries";
import { ManagedProcess, reservePorts, waitForReady } from "@seedbed/controlplane";
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
 * through its environment, never its command line.
 */
export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  const { dataDir } = options;
  const objects = join(dataDir, "objects");
  const meta = join(dataDir, "meta");
  for (const dir of [objects, meta]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const credentials = loadOrMakeCredentials(join(dataDir, "credentials.json"));
  const reservation = options.port === undefined ? await reservePorts(1) : undefined;
  const port = options.port ?? reservation?.ports[0] ?? 0;
  const server = await ManagedProcess.start(
    {
      name: "versitygw",
      command: binaryPath("versitygw"),
      args: ["--port", `127.0.0.1:${port}`, "--health", "/health", "--quiet", "posix", "--sidecar", meta, objects],
      env: { ROOT_ACCESS_KEY_ID: credentials.accessKeyId, ROOT_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    },
    { logFile: join(dataDir, "versitygw.log"), cwd: dataDir },
  );
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

function loadOrMakeCredentials(file: string): S3Credentials {
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as S3Credentials;
  const credentials = { accessKeyId: `seedbed${randomBytes(6).toString("hex")}`, secretAccessKey: randomBytes(24).toString("base64url") };
  writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}
