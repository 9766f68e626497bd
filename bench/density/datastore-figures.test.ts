import { describe, expect, it } from "vitest";
import { datastoreFigures, flagsDiffer, parseDatastore, type DatastoreSamples } from "./datastore-figures.ts";

const group = (pss: number[], cpu: number[] = pss.map(() => 1)): DatastoreSamples["dedicated"] => ({ pss, rss: pss.map((x) => x * 2), cpu, pssByComponent: { "kube-apiserver": 100 } });
const samples = (over: Partial<DatastoreSamples> = {}): DatastoreSamples => ({
  memAvailableMiBAtStart: 10_000,
  reserveMiB: 1000,
  dedicated: group([200, 200]),
  shared: group([150, 150]),
  sharedEtcd: { members: 3, pssBeforeTenants: 60, pss: 100, rss: 180, cpu: 4 },
  ...over,
});

describe("the --datastore flag", () => {
  it("is off when absent and takes shared", () => {
    expect(parseDatastore(undefined)).toBeUndefined();
    expect(parseDatastore("shared")).toBe("shared");
  });
  it.each(["dedicated", "Shared", "", "shared,dedicated"])("refuses %j, naming the flag and what it knows", (value) => {
    expect(() => parseDatastore(value)).toThrow(/--datastore: only "shared" is known .*leave it out for Dedicated clusters alone/);
  });
});

describe("Dedicated and Shared side by side", () => {
  it.each([
    // 9000 MiB free: 45 dedicated at 200; shared 150 own + 20 growth each = 170 → (9000 - 60) / 170 = 52.
    { name: "etcd grew with its tenants", over: {}, sharedPss: 200, marginal: 170, dedicatedFit: 45, sharedFit: 52 },
    // An etcd that shrank (garbage returned) costs a tenant nothing at the margin, never less than its own processes.
    { name: "etcd shrank", over: { sharedEtcd: { members: 3, pssBeforeTenants: 120, pss: 100, rss: 180, cpu: 4 } }, sharedPss: 200, marginal: 150, dedicatedFit: 45, sharedFit: 59 },
    { name: "no memory beyond the reserve", over: { memAvailableMiBAtStart: 900 }, sharedPss: 200, marginal: 170, dedicatedFit: 0, sharedFit: 0 },
  ])("$name", ({ over, sharedPss, marginal, dedicatedFit, sharedFit }) => {
    const f = datastoreFigures(samples(over));
    expect(f.shared.pssMiBPerTenant.mean).toBe(sharedPss);
    expect(f.shared.marginalPssMiBPerTenant).toBe(marginal);
    expect(f.dedicated.tenantsPerMachineByMemory).toBe(dedicatedFit);
    expect(f.shared.tenantsPerMachineByMemory).toBe(sharedFit);
  });

  it("adds each Shared tenant's share of the shared etcd to its memory and CPU, and keeps its own apart", () => {
    const f = datastoreFigures(samples({ shared: group([140, 160], [1, 3]) }));
    expect(f.shared.ownPssMiBPerTenant).toEqual({ mean: 150, min: 140, max: 160 });
    expect(f.shared.pssMiBPerTenant).toEqual({ mean: 200, min: 190, max: 210 });
    expect(f.shared.rssMiBPerTenant.mean).toBe(300 + 90);
    expect(f.shared.idleCpuPercentPerTenant).toEqual({ mean: 4, min: 3, max: 5 });
    expect(f.shared.pssMiBByComponent["shared-etcd (share)"]).toBe(50);
    expect(f.shared.sharedEtcd).toEqual({ members: 3, pssMiB: 100, rssMiB: 180, pssMiBBeforeTenants: 60, idleCpuPercent: 4 });
    expect(f.ratio).toEqual({ pssPerTenantSharedToDedicated: 1, tenantsPerMachineSharedToDedicated: 1.16 });
  });

  it("gives no ratio when nothing Dedicated was measured", () => {
    expect(datastoreFigures(samples({ dedicated: group([]) })).ratio).toEqual({ pssPerTenantSharedToDedicated: null, tenantsPerMachineSharedToDedicated: null });
  });
});

describe("the kube-apiserver flags of a Shared tenant against a Dedicated one's", () => {
  it.each([
    { name: "the same settings on other files and ports", shared: ["--secure-port=6443", "--tls-cert-file=/a/x.crt", "--watch-cache=false"], dedicated: ["--secure-port=7443", "--tls-cert-file=/b/x.crt", "--watch-cache=false"], differ: [] },
    { name: "only the etcd flags", shared: ["--etcd-prefix=/abc/", "--etcd-servers=https://127.0.0.1:1,https://127.0.0.1:2"], dedicated: ["--etcd-servers=https://127.0.0.1:3"], differ: [] },
    {
      name: "a setting changed, one added",
      shared: ["--watch-cache=true", "--profiling"],
      dedicated: ["--watch-cache=false"],
      differ: ["--profiling: shared , dedicated (absent)", "--watch-cache: shared true, dedicated false"],
    },
  ])("$name", ({ shared, dedicated, differ }) => {
    expect(flagsDiffer(shared, dedicated)).toEqual(differ);
  });
});
