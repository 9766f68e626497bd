import { describe, expect, it } from "vitest";
import { clusterDNSAddress, clusterIdentity, identityToRecord, legacyClusterId, newClusterId } from "./cluster-names.ts";

const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Every DNS-1123 label over `alphabet` up to `max` characters. */
function labels(alphabet: readonly string[], max: number): string[] {
  let frontier = [""];
  const out: string[] = [];
  for (let length = 1; length <= max; length++) {
    frontier = frontier.flatMap((prefix) => alphabet.map((ch) => prefix + ch));
    out.push(...frontier.filter((s) => label.test(s)));
  }
  return out;
}

describe("a cluster's identity", () => {
  it("is one-to-one over every pair of valid names (all labels of up to 5 of 'a', 'b', '-'; projects without '--')", () => {
    const names = labels(["a", "b", "-"], 5);
    const projects = names.filter((p) => !p.includes("--"));
    const seen = new Map<string, string>();
    for (const project of projects) {
      for (const cluster of names) {
        const id = newClusterId(`project-${project}`, cluster);
        const pair = `${project}/${cluster}`;
        expect(seen.get(id), `${pair} and ${seen.get(id) ?? ""} share ${id}`).toBeUndefined();
        seen.set(id, pair);
      }
    }
    expect(seen.size).toBe(projects.length * names.length);
  });

  it("tells apart the pairs the old scheme merged, which the old scheme could not", () => {
    expect(newClusterId("project-team", "a-prod")).toBe("team--a-prod");
    expect(newClusterId("project-team-a", "prod")).toBe("team-a--prod");
    expect(newClusterId("project-x", "y-z")).not.toBe(newClusterId("project-x-y", "z"));
    expect(legacyClusterId("project-team", "a-prod")).toBe(legacyClusterId("project-team-a", "prod"));
  });

  it("is recorded the old way only for clusters an earlier Seedbed reconciled, and the recorded one always wins", () => {
    const metadata = { namespace: "project-team", name: "a-prod" };
    expect(identityToRecord({ metadata })).toBe("team--a-prod");
    expect(identityToRecord({ metadata, status: {} })).toBe("team--a-prod");
    expect(identityToRecord({ metadata, status: { phase: "Running" } })).toBe("team-a-prod");
    expect(identityToRecord({ metadata, status: { observedGeneration: 1 } })).toBe("team-a-prod");
    expect(clusterIdentity({ metadata, status: { phase: "Running", clusterID: "team--a-prod" } })).toBe("team--a-prod");
    expect(clusterIdentity({ metadata })).toBe("team--a-prod");
  });
});

describe("the cluster DNS address", () => {
  it.each([
    ["10.96.0.0/12", "10.96.0.10"],
    ["172.20.0.0/16", "172.20.0.10"],
    ["10.0.8.0/22", "10.0.8.10"],
    ["192.168.100.0/24", "192.168.100.10"],
    ["200.0.0.0/12", "200.0.0.10"],
    // Host bits are cleared first, as kubeadm does: the tenth address of the range, not ten past what was written.
    ["10.0.0.250/24", "10.0.0.10"],
    ["10.96.3.4/12", "10.96.0.10"],
  ])("of %s is %s", (cidr, address) => {
    expect(clusterDNSAddress(cidr)).toBe(address);
  });

  it.each(["", "10.96.0.0", "10.96.0.256/12", "10.96.0.0/33", "fd00::/108", "10.0.0.0/29"])("refuses %j", (cidr) => {
    expect(() => clusterDNSAddress(cidr)).toThrow(/IPv4 CIDR|no address 10 for the cluster DNS/);
  });
});
