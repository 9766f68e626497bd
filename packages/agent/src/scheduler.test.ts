import { FakeClock, flush } from "@seedbed/runtime";
import { describe, expect, it } from "vitest";
import { PassScheduler, type PassRequest } from "./scheduler.ts";

function setup(run: (request: PassRequest) => Promise<void> = () => Promise.resolve()): { clock: FakeClock; scheduler: PassScheduler; passes: PassRequest[] } {
  const clock = new FakeClock();
  const passes: PassRequest[] = [];
  const scheduler = new PassScheduler({ clock, debounceMs: 100, run: (request) => (passes.push(request), run(request)) });
  return { clock, scheduler, passes };
}

describe("PassScheduler", () => {
  it("merges marks within the debounce into one pass", async () => {
    const { clock, scheduler, passes } = setup();
    scheduler.mark("a");
    scheduler.mark("b");
    scheduler.mark("a");
    await clock.advanceAsync(99);
    expect(passes).toHaveLength(0);
    await clock.advanceAsync(1);
    await flush();
    expect(passes).toEqual([{ all: false, uids: new Set(["a", "b"]) }]);
    await scheduler.idle();
  });

  it("runs one pass at a time and merges marks made during it into the next", async () => {
    let release = (): void => undefined;
    const { clock, scheduler, passes } = setup(() => new Promise<void>((resolve) => (release = resolve)));
    scheduler.mark("a");
    await clock.advanceAsync(100);
    scheduler.markAll();
    scheduler.mark("b");
    await clock.advanceAsync(500);
    expect(passes).toHaveLength(1);
    release();
    await flush();
    await clock.advanceAsync(100);
    expect(passes[1]).toEqual({ all: true, uids: new Set(["b"]) });
    release();
    await scheduler.idle();
  });

  it("retries a failed key with a doubling backoff, and has no timer once it succeeds", async () => {
    const { clock, scheduler, passes } = setup();
    scheduler.failed("a");
    await clock.advanceAsync(999);
    expect(passes).toHaveLength(0);
    await clock.advanceAsync(1 + 100);
    expect(passes).toHaveLength(1);
    scheduler.failed("a");
    await clock.advanceAsync(1999 + 100);
    expect(passes).toHaveLength(1);
    await clock.advanceAsync(1);
    expect(passes).toHaveLength(2);
    scheduler.succeeded("a");
    await scheduler.idle();
    expect(clock.pendingTimers).toBe(0);
    expect(scheduler.retrying()).toBe(0);
  });

  it("is idle with no timers when nothing was marked, and stops its retries", async () => {
    const { clock, scheduler } = setup();
    await scheduler.idle();
    scheduler.failed("x");
    expect(clock.pendingTimers).toBe(1);
    await scheduler.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
