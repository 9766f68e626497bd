import { describe, expect, it } from "vitest";
import { createLogger, reconcileLogger, shortId } from "./logger.ts";

function capture(): { lines: Record<string, unknown>[]; write(line: string): void } {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) };
}

describe("logging", () => {
  it("never writes Secret data, tokens, passwords or private keys", () => {
    const out = capture();
    const log = createLogger({ destination: out });
    log.info(
      {
        secret: { metadata: { name: "admin-kubeconfig" }, data: { kubeconfig: "YXBp" }, stringData: { token: "t" } },
        credentials: { token: "abc", password: "hunter2", privateKey: "-----BEGIN" },
        request: { headers: { authorization: "Bearer abc" } },
        token: "top-level",
      },
      "Loaded credentials",
    );
    const line = JSON.stringify(out.lines[0]);
    for (const leaked of ["YXBp", "abc", "hunter2", "BEGIN", "top-level"]) expect(line).not.toContain(leaked);
    expect(line).toContain("admin-kubeconfig");
    expect(line).toContain("[redacted]");
  });

  it("names the controller, the object and the reconcile in every line of a reconcile", () => {
    const out = capture();
    const log = reconcileLogger(createLogger({ destination: out }), { controller: "clusters", object: "team-a/dev", reconcileId: "1a2b3c4d" });
    log.info({ phase: "Provisioning" }, "Applied the control plane");
    expect(out.lines[0]).toMatchObject({ controller: "clusters", object: "team-a/dev", reconcileId: "1a2b3c4d", phase: "Provisioning", msg: "Applied the control plane" });
  });

  it("makes short distinct reconcile ids", () => {
    const ids = new Set(Array.from({ length: 100 }, shortId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}$/);
  });
});
