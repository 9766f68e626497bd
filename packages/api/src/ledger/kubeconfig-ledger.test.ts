import { describe, expect, it } from "vitest";
import { ledgerDataChange, ledgerKey, newLedgerConfigMap, outstandingKubeconfigs, parseLedger, parseRecord, trustsCA, type KubeconfigRecord } from "./kubeconfig-ledger.ts";

const OLD = "AA:AA";
const NEW = "BB:BB";

function record(fields: Partial<KubeconfigRecord> & Pick<KubeconfigRecord, "holder">): KubeconfigRecord {
  return { kind: "token", time: "2030-01-01T00:00:00.000Z", cas: [OLD], ...fields };
}

describe("outstanding kubeconfigs", () => {
  const cases: { name: string; record: KubeconfigRecord; current: string | undefined; outstanding: boolean }[] = [
    { name: "a token kubeconfig trusting only the old CA", record: record({ holder: "a", cas: [OLD] }), current: NEW, outstanding: true },
    { name: "a token kubeconfig with the bundle of old and new", record: record({ holder: "a", cas: [OLD, NEW] }), current: NEW, outstanding: false },
    { name: "a token kubeconfig with only the new CA", record: record({ holder: "a", cas: [NEW] }), current: NEW, outstanding: false },
    { name: "fingerprints differing only in case", record: record({ holder: "a", cas: ["bb:bb"] }), current: NEW, outstanding: false },
    { name: "a kubeconfig with no CA data", record: record({ holder: "a", cas: [] }), current: NEW, outstanding: true },
    { name: "an admin kubeconfig with the bundle but a client certificate of the old CA", record: record({ holder: "a", kind: "admin", cas: [OLD, NEW], clientCA: OLD }), current: NEW, outstanding: true },
    { name: "an admin kubeconfig with the bundle and a client certificate of the new CA", record: record({ holder: "a", kind: "admin", cas: [OLD, NEW], clientCA: NEW }), current: NEW, outstanding: false },
    { name: "an admin kubeconfig whose client certificate's CA is unknown", record: record({ holder: "a", kind: "admin", cas: [NEW], clientCA: "unknown" }), current: NEW, outstanding: true },
    { name: "any kubeconfig while the cluster reports no CA yet", record: record({ holder: "a", cas: [OLD] }), current: undefined, outstanding: false },
  ];
  it.each(cases)("$name: outstanding $outstanding", ({ record: r, current, outstanding }) => {
    expect(outstandingKubeconfigs([r], current)).toEqual(outstanding ? [r] : []);
    if (current !== undefined) expect(trustsCA(r, current)).toBe(!outstanding);
  });

  it("keeps the ledger's order and leaves out only those that trust the CA", () => {
    const ledger = [record({ holder: "c", cas: [OLD] }), record({ holder: "b", cas: [NEW] }), record({ holder: "a", kind: "admin", cas: [OLD] })];
    expect(outstandingKubeconfigs(ledger, NEW).map((r) => `${r.holder}/${r.kind}`)).toEqual(["c/token", "a/admin"]);
  });
});

describe("a ledger key", () => {
  it.each([
    { holder: "alice", kind: "token" as const, key: "token.alice" },
    { holder: "alice@example.com", kind: "admin" as const, key: "admin.alice_40example.com" },
    { holder: "system:admin", kind: "admin" as const, key: "admin.system_3aadmin" },
    { holder: "a_b", kind: "token" as const, key: "token.a_5fb" },
    { holder: "Zoë", kind: "token" as const, key: "token.Zo_c3_ab" },
  ])("of $holder ($kind) is $key", ({ holder, kind, key }) => {
    expect(ledgerKey(holder, kind)).toBe(key);
  });

  it("is a valid ConfigMap key for any holder, and distinct holders get distinct keys", () => {
    const holders = ["a:b", "a_3ab", "a.b", "a/b", "x".repeat(300), `${"x".repeat(299)}y`];
    const keys = holders.map((h) => ledgerKey(h, "token"));
    for (const key of keys) expect(key).toMatch(/^[-._a-zA-Z0-9]{1,253}$/);
    expect(new Set(keys).size).toBe(holders.length);
  });
});

describe("recording a hand-out", () => {
  const at = (minute: number): string => new Date(Date.UTC(2030, 0, 1, 0, minute)).toISOString();
  const data = (records: KubeconfigRecord[]): Record<string, string> => Object.fromEntries(records.map((r) => [ledgerKey(r.holder, r.kind), JSON.stringify(r)]));

  it("sets the holder's key and nothing else while the ledger has room", () => {
    const fresh = record({ holder: "b", time: at(5) });
    expect(ledgerDataChange(data([record({ holder: "a", time: at(1) })]), fresh, 3)).toEqual({ "token.b": JSON.stringify(fresh) });
  });

  it("replaces the holder's earlier record of the same kind without dropping any other", () => {
    const again = record({ holder: "a", time: at(9), cas: [NEW] });
    const before = data([record({ holder: "a", time: at(1) }), record({ holder: "b", time: at(2) })]);
    expect(ledgerDataChange(before, again, 2)).toEqual({ "token.a": JSON.stringify(again) });
  });

  it("drops the oldest records past the bound, values that are not records first", () => {
    const before = { ...data([record({ holder: "a", time: at(3) }), record({ holder: "b", time: at(1) }), record({ holder: "c", time: at(2) })]), junk: "not json" };
    const change = ledgerDataChange(before, record({ holder: "d", time: at(4) }), 3);
    expect(Object.entries(change).filter(([, v]) => v === null).map(([k]) => k).sort()).toEqual(["junk", "token.b"]);
    expect(change["token.d"]).toBeTypeOf("string");
  });
});

describe("reading a ledger", () => {
  it("lists records newest first and leaves out values that are not records", () => {
    const a = record({ holder: "a", time: "2030-01-01T00:00:00Z" });
    const b = record({ holder: "b", kind: "admin", time: "2030-01-02T00:00:00Z", clientCA: NEW, via: "api" });
    const ledger = parseLedger({ x: JSON.stringify(a), y: JSON.stringify(b), bad: "{", wrongKind: JSON.stringify({ ...a, kind: "root" }), noTime: JSON.stringify({ ...a, time: "yesterday" }) });
    expect(ledger).toEqual([b, a]);
  });

  it("never carries fields other than the record's own (a key or token written by hand stays out)", () => {
    expect(parseRecord(JSON.stringify({ ...record({ holder: "a" }), token: "secret", key: "-----BEGIN PRIVATE KEY-----" }))).toEqual(record({ holder: "a" }));
  });
});

describe("a new ledger ConfigMap", () => {
  it("is named after the cluster, labelled with it and owned by it without blocking its deletion", () => {
    const cm = newLedgerConfigMap({ apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", metadata: { name: "web", namespace: "project-a", uid: "u-1" } }, { k: "v" });
    expect(cm.metadata).toEqual({
      name: "web-kubeconfigs",
      namespace: "project-a",
      labels: { "seedbed.dev/cluster": "web" },
      ownerReferences: [{ apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", name: "web", uid: "u-1", controller: false, blockOwnerDeletion: false }],
    });
    expect(cm.data).toEqual({ k: "v" });
  });
});
