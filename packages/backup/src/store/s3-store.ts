import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, rmSync } from "node:fs";
import { stat } from "node:fs/promises";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ChecksumAlgorithm, CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

/** Where snapshots go: an S3 bucket, and a prefix inside it. */
export interface S3Location {
  /** https://s3.eu-west-1.amazonaws.com, or the embedded server's http://127.0.0.1:port. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  /** Put before every key, e.g. "seedbed/"; none when empty. */
  readonly prefix?: string;
}

/** S3 credentials (never logged: describeStoreError leaves them out). */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** One stored object. */
export interface StoredObject {
  /** The key without the store's prefix. */
  readonly key: string;
  readonly sizeBytes: number;
  readonly lastModified?: Date;
}

/** Parts of a multipart upload: large enough for few requests, small enough to retry cheaply. */
const partSizeBytes = 16 * 1024 * 1024;

/**
 * An S3 bucket through the AWS SDK: uploads in parts (lib-storage's
 * Upload, several in flight) with a SHA-256 checksum that the server
 * verifies for every part, so a corrupted transfer is refused rather than
 * stored. Path-style addressing, which every S3-compatible server accepts.
 */
export class S3Store {
  readonly location: S3Location;
  readonly #client: S3Client;

  constructor(location: S3Location, credentials: S3Credentials) {
    this.location = location;
    this.#client = new S3Client({
      endpoint: location.endpoint,
      region: location.region,
      forcePathStyle: true,
      credentials,
      // Retries with backoff on throttling and 5xx; the caller retries what still fails.
      maxAttempts: 4,
    });
  }

  /** s3://bucket/prefix+key, as status shows it. */
  url(key: string): string {
    return `s3://${this.location.bucket}/${this.#key(key)}`;
  }

  /** Creates the bucket unless it exists (the embedded store's first start). */
  async ensureBucket(): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.location.bucket }));
    } catch (error) {
      if (!(error instanceof S3ServiceException) || error.$metadata.httpStatusCode !== 404) throw error;
      await this.#client.send(new CreateBucketCommand({ Bucket: this.location.bucket }));
    }
  }

  /** Uploads a stream of unknown length under `key` in parts (each checked by its SHA-256); a failed upload leaves no object. */
  async putStream(key: string, body: Readable, signal?: AbortSignal): Promise<void> {
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.location.bucket, Key: this.#key(key), Body: body, ChecksumAlgorithm: ChecksumAlgorithm.SHA256 },
      partSize: partSizeBytes,
      queueSize: 4,
      leavePartsOnError: false,
    });
    signal?.addEventListener("abort", () => void upload.abort(), { once: true });
    await upload.done();
  }

  /** Uploads a file under `key`, as putStream does; returns its size. */
  async putFile(key: string, file: string, signal?: AbortSignal): Promise<number> {
    const { size } = await stat(file);
    await this.putStream(key, createReadStream(file), signal);
    return size;
  }

  /** The object's content as a stream. */
  async get(key: string): Promise<Readable> {
    const response = await this.#client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.#key(key), ChecksumMode: "ENABLED" }));
    return response.Body as Readable;
  }

  /**
   * Downloads the object to `file` (mode 0600), hashing it as it arrives:
   * its SHA-256 and size, for the caller to check against what it expects.
   * A failed download leaves no file.
   */
  async getFile(key: string, file: string, signal?: AbortSignal): Promise<{ sha256: string; sizeBytes: number }> {
    const hash = createHash("sha256");
    let sizeBytes = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        sizeBytes += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(await this.get(key), hashing, createWriteStream(file, { mode: 0o600 }), { signal });
    } catch (error) {
      rmSync(file, { force: true });
      throw error;
    }
    return { sha256: hash.digest("hex"), sizeBytes };
  }

  /** Deletes the object; done when it is gone (S3 deletes are idempotent). */
  async delete(key: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.#key(key) }));
  }

  /** Every object under `prefix` (relative to the store's prefix), in key order. */
  async list(prefix = ""): Promise<StoredObject[]> {
    const found: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: this.#key(prefix), ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        found.push({ key: (object.Key ?? "").slice((this.location.prefix ?? "").length), sizeBytes: object.Size ?? 0, ...(object.LastModified ? { lastModified: object.LastModified } : {}) });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return found;
  }

  /** Closes the client's connections. */
  close(): void {
    this.#client.destroy();
  }

  #key(key: string): string {
    return `${this.location.prefix ?? ""}${key}`;
  }
}

/**
 * An S3 error in words for status and events: the operation, the store's
 * endpoint and bucket, and the server's code and message — never a
 * credential (the SDK's errors carry none, and we add none).
 */
export function describeStoreError(location: S3Location, what: string, error: unknown): string {
  const where = `${location.endpoint} bucket ${location.bucket}`;
  if (error instanceof S3ServiceException) return `${what} at ${where}: ${error.name} (HTTP ${error.$metadata.httpStatusCode ?? "?"}): ${error.message}`;
  const code = (error as { code?: string } | null)?.code;
  return `${what} at ${where}: ${code === undefined ? "" : `${code}: `}${error instanceof Error ? error.message : String(error)}`;
}
