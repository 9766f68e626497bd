import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { binaryPath } from "@seedbed/binaries";
import type { S3Store } from "../store/s3-store.ts";
import { etcdctlTLSArgs, readSnapshotStatus, type EtcdClient, type SnapshotFacts } from "./etcd-snapshot.ts";

/** How much of the growing snapshot is read at once. */
const readChunkBytes = 4 * 1024 * 1024;
/** How long to wait for etcdctl to write more. */
const tailPollMs = 10;

/** A snapshot stored, with what it holds. */
export interface StoredSnapshot extends SnapshotFacts {
  /** How long the snapshot and its upload took together. */
  readonly seconds: number;
  /** When (ms from the start) etcdctl had written the snapshot, the upload was done, and etcdutl had read the file. */
  readonly milestonesMs: { readonly snapshotWritten: number; readonly uploaded: number; readonly inspected: number };
}

/** A failed snapshot or upload: which of the two, and why. */
export class SnapshotUploadError extends Error {
  /** "snapshot": etcd or etcdctl failed; "upload": the store did. */
  readonly stage: "snapshot" | "upload";

  constructor(stage: "snapshot" | "upload", message: string, options?: ErrorOptions) {
    super(message, options);
    this.stage = stage;
  }
}

/**
 * Takes a snapshot through etcd's maintenance API (etcdctl snapshot save
 * to `file`) and uploads it under `key` as it is written: the upload reads
 * the growing file behind etcdctl and hashes it on the way, so the two
 * overlap instead of one waiting for the other (for a gigabyte, seconds
 * saved). Once etcdctl has checked etcd's integrity hash and renamed the
 * file, etcdutl reads what it holds (revision, keys, version). A snapshot
 * that fails aborts its upload: no object is left half made.
 */
export async function streamSnapshotToStore(client: EtcdClient, file: string, store: S3Store, key: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<StoredSnapshot> {
  const began = performance.now();
  const part = `${file}.part`;
  rmSync(file, { force: true });
  rmSync(part, { force: true });
  const timeoutMs = options.timeoutMs ?? 600_000;
  const args = [`--endpoints=${client.endpoint}`, ...etcdctlTLSArgs(client), `--command-timeout=${Math.ceil(timeoutMs / 1000)}s`, "snapshot", "save", file];
  const etcdctl = spawn(binaryPath("etcdctl"), args, { stdio: ["ignore", "ignore", "pipe"], env: { ETCDCTL_API: "3" }, timeout: timeoutMs });
  let stderr = "";
  etcdctl.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4096)));
  const state: { exit?: number | null; exitedAt?: number } = {};
  const exited = new Promise<void>((resolve) => {
    etcdctl.once("close", (code) => {
      state.exit = code;
      state.exitedAt = performance.now() - began;
      resolve();
    });
    etcdctl.once("error", (error) => {
      stderr += error.message;
      state.exit = -1;
      resolve();
    });
  });
  const snapshotFailed = (): SnapshotUploadError => new SnapshotUploadError("snapshot", `etcd snapshot of ${client.endpoint} failed: ${lastLines(stderr) || `etcdctl exited with ${String(state.exit)}`}`);

  const handle = await openWhenCreated(part, () => state.exit !== undefined);
  if (handle === undefined) {
    await exited;
    throw snapshotFailed();
  }
  const hash = createHash("sha256");
  let uploadedBytes = 0;
  let uploadedAt = 0;
  try {
    const body = Readable.from(tail(handle, () => state.exit !== undefined, exited, (chunk) => {
      hash.update(chunk);
      uploadedBytes += chunk.length;
    }));
    try {
      await store.putStream(key, body, options.signal);
      uploadedAt = performance.now() - began;
    } catch (error) {
      await exited;
      if (state.exit !== 0) throw snapshotFailed();
      throw new SnapshotUploadError("upload", error instanceof Error ? error.message : String(error), { cause: error });
    }
    await exited;
    if (state.exit !== 0) {
      await store.delete(key).catch(() => undefined);
      throw snapshotFailed();
    }
  } finally {
    await handle.close();
    if (etcdctl.exitCode === null) etcdctl.kill("SIGKILL");
  }
  const size = (await stat(file)).size;
  if (size !== uploadedBytes) {
    await store.delete(key).catch(() => undefined);
    throw new SnapshotUploadError("snapshot", `the snapshot of ${client.endpoint} is ${size} bytes but ${uploadedBytes} were uploaded; the object was deleted`);
  }
  const status = await readSnapshotStatus(file);
  const inspected = performance.now() - began;
  return { ...status, sizeBytes: size, sha256: hash.digest("hex"), seconds: inspected / 1000, milestonesMs: { snapshotWritten: Math.round(state.exitedAt ?? 0), uploaded: Math.round(uploadedAt), inspected: Math.round(inspected) } };
}

/**
 * Opens the snapshot etcdctl writes: its `.part` file once it exists, or the
 * finished file when etcdctl was done (and renamed it) before this looked;
 * undefined when etcdctl has exited without either.
 */
export async function openWhenCreated(part: string, gaveUp: () => boolean): Promise<FileHandle | undefined> {
  const finished = part.replace(/\.part$/, "");
  for (;;) {
    // Whether etcdctl had exited before this look: then a missing file is its failure.
    const exited = gaveUp();
    for (const path of [part, finished]) {
      try {
        return await open(path, "r");
      } catch (error) {
        // Not there (yet), or renamed away between the two looks.
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    if (exited) return undefined;
    await sleep(tailPollMs);
  }
}

/** The file's bytes as they are written, until the writer has exited and the end is read. */
async function* tail(handle: FileHandle, writerDone: () => boolean, exited: Promise<void>, seen: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  let position = 0;
  for (;;) {
    // Whether the writer had finished before this read: then an empty read is the end.
    const finished = writerDone();
    const buffer = Buffer.allocUnsafe(readChunkBytes);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead > 0) {
      position += bytesRead;
      const chunk = buffer.subarray(0, bytesRead);
      seen(chunk);
      yield chunk;
      continue;
    }
    if (finished) return;
    await Promise.race([sleep(tailPollMs), exited]);
  }
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-3).join("; ");
}
