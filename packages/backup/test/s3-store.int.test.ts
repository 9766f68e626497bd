import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeStoreError, S3Store, startEmbeddedS3, type EmbeddedS3 } from "../src/index.ts";

// The embedded store against the real S3 server it runs (versitygw).
describe("the embedded S3 store", () => {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-s3-"));
  let s3: EmbeddedS3;
  beforeAll(async () => {
    s3 = await startEmbeddedS3({ dataDir: join(dir, "data") });
  });
  afterAll(async () => {
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores a file in parts with checksums and gives back the same bytes, lists and deletes it", async () => {
    // 40 MiB: three parts of 16 MiB, each checked by the server against its SHA-256.
    const file = join(dir, "snapshot.db");
    const content = randomBytes(40 * 1024 * 1024);
    writeFileSync(file, content);
    const store = new S3Store({ ...s3.location, prefix: "clusters/a/" }, s3.credentials);
    try {
      expect(await store.putFile("one.db", file)).toBe(content.length);
      expect(store.url("one.db")).toBe("s3://seedbed-backups/clusters/a/one.db");
      const back = createHash("sha256");
      for await (const chunk of await store.get("one.db")) back.update(chunk as Buffer);
      expect(back.digest("hex")).toBe(createHash("sha256").update(content).digest("hex"));
      expect((await store.list()).map((o) => [o.key, o.sizeBytes])).toEqual([["one.db", content.length]]);
      await store.delete("one.db");
      await store.delete("one.db");
      expect(await store.list()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it("adopts the server an earlier run left on its data, keeps its credentials, and refuses others with a message that names the store but no secret", async () => {
    const again = await startEmbeddedS3({ dataDir: join(dir, "data"), bucket: "seedbed-backups" });
    try {
      expect(again.pid).toBe(s3.pid);
      expect(again.location).toEqual(s3.location);
      expect(again.credentials).toEqual(s3.credentials);
      const wrong = new S3Store(again.location, { accessKeyId: s3.credentials.accessKeyId, secretAccessKey: "not-the-secret" });
      const error = await wrong.list().catch((e: unknown) => e);
      const message = describeStoreError(again.location, "listing snapshots", error);
      expect(message).toMatch(new RegExp(`^listing snapshots at ${again.location.endpoint} bucket seedbed-backups: .*HTTP 403`));
      expect(message).not.toContain("not-the-secret");
      expect(message).not.toContain(s3.credentials.secretAccessKey);
      wrong.close();
    } finally {
      await again.stop();
    }
  });
});
