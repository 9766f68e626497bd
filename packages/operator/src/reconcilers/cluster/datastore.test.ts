import type { ControlPlaneStatus } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { chooseDatastore } from "./datastore.ts";

const built = (type: "Dedicated" | "Shared" | undefined): ControlPlaneStatus => ({ apiServers: "1/1", etcd: "1/1", ...(type === undefined ? {} : { datastore: { type, ...(type === "Shared" ? { sharedWith: "old-seed" } : {}) } }) });

describe("chooseDatastore", () => {
  const cases: { title: string; type: "Dedicated" | "Shared"; offered: boolean; status: ControlPlaneStatus | undefined; canMove: boolean; shared: string | undefined; unsupported?: RegExp }[] = [
    { title: "a new Dedicated cluster gets an etcd of its own", type: "Dedicated", offered: true, status: undefined, canMove: true, shared: undefined },
    { title: "a new Shared cluster on a seed that offers one gets a prefix there", type: "Shared", offered: true, status: undefined, canMove: true, shared: "seed-a" },
    { title: "a new Shared cluster on a seed that offers none gets an etcd of its own, and says so", type: "Shared", offered: false, status: undefined, canMove: true, shared: undefined, unsupported: /seed seed-a offers no shared etcd .*gets an etcd of its own; set type: Dedicated/ },
    { title: "a built Shared cluster stays on the shared etcd it was built on", type: "Shared", offered: false, status: built("Shared"), canMove: true, shared: "old-seed" },
    { title: "a built Dedicated cluster moves to Shared where the driver moves data and the seed offers one", type: "Shared", offered: true, status: built("Dedicated"), canMove: true, shared: "seed-a" },
    { title: "a cluster reported before datastores were recorded counts as Dedicated", type: "Shared", offered: true, status: built(undefined), canMove: false, shared: undefined, unsupported: /built on an etcd of its own and this seed's driver does not move/ },
    { title: "a built Shared cluster moves back to Dedicated where the driver moves data", type: "Dedicated", offered: true, status: built("Shared"), canMove: true, shared: undefined },
    { title: "a built Shared cluster stays where the driver cannot move data", type: "Dedicated", offered: true, status: built("Shared"), canMove: false, shared: "old-seed", unsupported: /stays there; set type: Shared/ },
    { title: "a move to Shared waits for a seed that offers one", type: "Shared", offered: false, status: built("Dedicated"), canMove: true, shared: undefined, unsupported: /keeps an etcd of its own/ },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const choice = chooseDatastore({ datastoreType: c.type }, "seed-a", c.offered, c.status, c.canMove);
      expect(choice.shared).toBe(c.shared);
      if (c.unsupported === undefined) expect(choice.unsupported).toBeUndefined();
      else expect(choice.unsupported).toMatch(c.unsupported);
    });
  }
});
