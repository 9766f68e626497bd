import { describe, expect, it } from "vitest";
import { FakeClock, flush } from "../clock/fake-clock.ts";
import { ExponentialFailureRateLimiter, defaultControllerRateLimiter } from "./rate-limiter.ts";
import { WorkQueue, type QueueMetrics } from "./work-queue.ts";

function recordingMetrics(): QueueMetrics & { latencies: number[]; retries: number; adds: number; lastDepth: number } {
  const m = {
    latencies: [] as number[],
    retries: 0,
    adds: 0,
    lastDepth: 0,
    depth: (n: number) => {
      m.lastDepth = n;
    },
    added: () => {
      m.adds++;
    },
    queueLatency: (s: number) => {
      m.latencies.push(s);
    },
    workDuration: () => undefined,
    retry: () => {
      m.retries++;
    },
  };
  return m;
}

describe("WorkQueue", () => {
  it("hands out a key added several times before it is processed only once", async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add("a");
    q.add("b");
    q.add("a");
    q.add("a");
    expect(q.length).toBe(2);
    expect(await q.get()).toBe("a");
    expect(await q.get()).toBe("b");
    expect(q.length).toBe(0);
  });

  it("never hands a key being processed to a second worker, and queues it again after done", async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add("a");
    expect(await q.get()).toBe("a");
    q.add("a"); // an event arrives while a worker processes "a"
    q.add("a");
    expect(q.length).toBe(0);
    let second: string | undefined = "pending";
    const waiting = q.get().then((key) => (second = key));
    await flush();
    expect(second).toBe("pending");
    q.done("a");
    await waiting;
    expect(second).toBe("a");
    q.done("a");
    expect(q.length).toBe(0);
  });

  it("does not queue a processed key again when nobody added it meanwhile", async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add("a");
    await q.get();
    q.done("a");
    expect(q.length).toBe(0);
  });

  it("hands keys to waiting workers in the order they were added", async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    const got: (string | undefined)[] = [];
    const workers = [q.get(), q.get()].map((p) => p.then((k) => got.push(k)));
    q.add("x");
    q.add("y");
    await Promise.all(workers);
    expect(got).toEqual(["x", "y"]);
  });

  it("adds keys after their delay, earliest first, keeping the earlier time of a key added twice", () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter("late", 300);
    q.addAfter("early", 100);
    q.addAfter("middle", 200);
    q.addAfter("early", 250); // later than its current time: ignored
    q.addAfter("late", 150); // earlier: moves up
    clock.advance(99);
    expect(q.length).toBe(0);
    clock.advance(1);
    expect(q.length).toBe(1);
    clock.advance(100);
    expect(q.length).toBe(3);
    clock.advance(1000);
    expect(q.length).toBe(3); // nothing left waiting, "early" was not added twice
    expect(clock.pendingTimers).toBe(0);
  });

  it("returns delayed keys in ready order", async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter("c", 30);
    q.addAfter("a", 10);
    q.addAfter("b", 20);
    q.addAfter("now", 0);
    clock.advance(30);
    const order = [await q.get(), await q.get(), await q.get(), await q.get()];
    expect(order).toEqual(["now", "a", "b", "c"]);
  });

  it("backs a failing key off 5, 10, 20 … ms and starts from 5 ms again after forget", async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, rateLimiter: defaultControllerRateLimiter(clock) });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      q.addRateLimited("k");
      const began = clock.now();
      while (q.length === 0) clock.advance(1);
      delays.push(clock.now() - began);
      q.done((await q.get()) ?? "");
    }
    expect(delays).toEqual([5, 10, 20, 40, 80, 160]);
    expect(q.numRequeues("k")).toBe(6);
    q.forget("k");
    expect(q.numRequeues("k")).toBe(0);
    q.addRateLimited("k");
    clock.advance(4);
    expect(q.length).toBe(0);
    clock.advance(1);
    expect(q.length).toBe(1);
  });

  it("caps a key's backoff at the maximum", () => {
    const limiter = new ExponentialFailureRateLimiter({ baseDelayMs: 5, maxDelayMs: 1000 });
    const delays = Array.from({ length: 12 }, () => limiter.when("k"));
    expect(delays.slice(0, 4)).toEqual([5, 10, 20, 40]);
    expect(delays.slice(-3)).toEqual([1000, 1000, 1000]);
    for (let i = 0; i < 2000; i++) limiter.when("k");
    expect(limiter.when("k")).toBe(1000);
  });

  it("spreads retries of many keys with the overall token bucket once the burst is spent", () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, rateLimiter: defaultControllerRateLimiter(clock, { qps: 10, burst: 3 }) });
    for (const key of ["a", "b", "c", "d", "e"]) q.addRateLimited(key); // first failure of each: 5 ms per key
    clock.advance(5);
    expect(q.length).toBe(3); // the burst
    clock.advance(95);
    expect(q.length).toBe(4); // the 4th token after 100 ms at 10 qps
    clock.advance(100);
    expect(q.length).toBe(5);
  });

  it("refills the bucket over time", () => {
    const clock = new FakeClock();
    const limiter = defaultControllerRateLimiter(clock, { qps: 10, burst: 2 });
    expect([limiter.when("a"), limiter.when("b"), limiter.when("c")]).toEqual([5, 5, 100]);
    clock.advance(1000);
    expect(limiter.when("d")).toBe(5);
  });

  it("records how long keys waited between add and get", async () => {
    const clock = new FakeClock();
    const metrics = recordingMetrics();
    const q = new WorkQueue({ clock, metrics });
    q.add("a");
    q.add("a");
    clock.advance(250);
    expect(metrics.lastDepth).toBe(1);
    await q.get();
    expect(metrics.latencies).toEqual([0.25]);
    expect(metrics.adds).toBe(1);
    expect(metrics.lastDepth).toBe(0);
    q.addRateLimited("a");
    expect(metrics.retries).toBe(1);
  });

  it("resolves waiting workers with undefined on shutdown and drains work in progress", async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.add("busy");
    const key = await q.get();
    const idle = q.get();
    q.addAfter("later", 1000);
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => (drained = true));
    expect(await idle).toBeUndefined();
    expect(await q.get()).toBeUndefined();
    q.add("ignored");
    expect(q.length).toBe(0);
    await flush();
    expect(drained).toBe(false);
    q.done(key ?? "");
    await drain;
    expect(drained).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it("moves many keys through without losing or duplicating any", async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    for (let i = 0; i < 5000; i++) q.add(`k${i % 3000}`);
    const seen = new Set<string>();
    while (q.length > 0) {
      const key = (await q.get()) ?? "";
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      q.done(key);
    }
    expect(seen.size).toBe(3000);
  });
});
