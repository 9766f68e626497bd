import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../clock/fake-clock.ts";
import { LeaderElector } from "./leader-elector.ts";
import type { LeaseLock, LeaseRecord, ObservedLease } from "./lease-lock.ts";

/** A lock in memory with the API server's optimistic concurrency; `down` makes every call fail. */
class MemoryLock implements LeaseLock {
  record: LeaseRecord | undefined;
  version = 0;
  down = false;
  get(): Promise<ObservedLease | undefined> {
    if (this.down) return Promise.reject(new Error("connection refused"));
    return Promise.resolve(this.record && { record: this.record, resourceVersion: String(this.version) });
  }
  create(record: LeaseRecord): Promise<string> {
    if (this.down) return Promise.reject(new Error("connection refused"));
    if (this.record) return Promise.reject(new ApiException(409, "exists", "", {}));
    this.record = record;
    return Promise.resolve(String(++this.version));
  }
  update(record: LeaseRecord, resourceVersion: string): Promise<string> {
    if (this.down) return Promise.reject(new Error("connection refused"));
    if (resourceVersion !== String(this.version)) return Promise.reject(new ApiException(409, "conflict", "", {}));
    this.record = record;
    return Promise.resolve(String(++this.version));
  }
  describe(): string {
    return "test/lease";
  }
}

function candidate(lock: LeaseLock, clock: FakeClock, identity: string): { elector: LeaderElector; events: string[] } {
  const events: string[] = [];
  const elector = new LeaderElector({
    lock,
    identity,
    clock,
    leaseDurationSeconds: 3,
    renewDeadlineMs: 2000,
    retryPeriodMs: 500,
    jitter: 0,
    onStartedLeading: () => events.push("started"),
    onStoppedLeading: () => events.push("stopped"),
    onNewLeader: (id) => events.push(`leader ${id}`),
  });
  return { elector, events };
}

describe("LeaderElector", () => {
  it("lets exactly one of two candidates lead, and the other take over once the lease expires", async () => {
    const clock = new FakeClock();
    const lock = new MemoryLock();
    const a = candidate(lock, clock, "a");
    const b = candidate(lock, clock, "b");
    void a.elector.run();
    await clock.advanceAsync(0);
    void b.elector.run();
    await clock.advanceAsync(2000);
    expect([a.elector.isLeader(), b.elector.isLeader()]).toEqual([true, false]);
    expect(lock.record?.holderIdentity).toBe("a");
    expect(b.events).toEqual(["leader a"]);

    // "a" vanishes without releasing: its renewals stop, the record stops changing.
    const crashed = a.elector.stop({ release: false });
    await clock.advanceAsync(0);
    await crashed;
    const stoppedAt = clock.now();
    await clock.advanceAsync(2900);
    expect(b.elector.isLeader()).toBe(false); // the lease is still valid for b
    await clock.advanceAsync(1000);
    expect(b.elector.isLeader()).toBe(true);
    expect(clock.now() - stoppedAt).toBeLessThanOrEqual(3000 + 500 + 500);
    expect(lock.record?.holderIdentity).toBe("b");
    expect(lock.record?.leaseTransitions).toBe(1);
    await b.elector.stop();
  });

  it("hands over at once on a graceful stop", async () => {
    const clock = new FakeClock();
    const lock = new MemoryLock();
    const a = candidate(lock, clock, "a");
    const b = candidate(lock, clock, "b");
    void a.elector.run();
    await clock.advanceAsync(0);
    void b.elector.run();
    await clock.advanceAsync(1000);
    const stopping = a.elector.stop();
    await clock.advanceAsync(0);
    await stopping;
    expect(lock.record?.holderIdentity).toBe("");
    await clock.advanceAsync(500);
    expect(b.elector.isLeader()).toBe(true);
    expect(a.events).toEqual(["started"]); // a stop is not a loss
    await b.elector.stop();
  });

  it("stops leading when renewals fail until the renew deadline, before the lease expires for others", async () => {
    const clock = new FakeClock();
    const lock = new MemoryLock();
    const a = candidate(lock, clock, "a");
    const done = a.elector.run();
    await clock.advanceAsync(0);
    expect(a.elector.isLeader()).toBe(true);
    lock.down = true;
    const lastRenew = clock.now();
    await clock.advanceAsync(2500);
    await done;
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events).toEqual(["started", "stopped"]);
    expect(clock.now() - lastRenew).toBeLessThan(3000);
  });

  it("refuses timings where the renew deadline is not shorter than the lease", () => {
    const lock = new MemoryLock();
    expect(
      () => new LeaderElector({ lock, identity: "x", leaseDurationSeconds: 2, renewDeadlineMs: 2000, onStartedLeading: () => undefined, onStoppedLeading: () => undefined }),
    ).toThrow(/longer than the renew deadline/);
  });
});
