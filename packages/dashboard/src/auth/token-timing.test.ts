import { describe, expect, it } from "vitest";
import { maxTimerMs, needsRefresh, refreshDelayMs, timerDelay } from "./token-timing.ts";

describe("refreshDelayMs", () => {
  const exp = 1_000_000; // seconds

  it("waits until a minute before exp", () => {
    expect(refreshDelayMs(exp, (exp - 600) * 1000)).toBe(540_000);
  });

  it("is zero inside the last minute and after exp", () => {
    expect(refreshDelayMs(exp, (exp - 30) * 1000)).toBe(0);
    expect(refreshDelayMs(exp, (exp + 30) * 1000)).toBe(0);
  });

  it("takes another lead", () => {
    expect(refreshDelayMs(exp, (exp - 100) * 1000, 10)).toBe(90_000);
  });
});

describe("needsRefresh", () => {
  it("is false well before exp and true in the last minute", () => {
    expect(needsRefresh(1000, 900_000)).toBe(false);
    expect(needsRefresh(1000, 940_000)).toBe(true);
    expect(needsRefresh(1000, 939_999)).toBe(false);
  });
});

describe("timerDelay", () => {
  it("clamps to what setTimeout accepts", () => {
    expect(timerDelay(-5)).toBe(0);
    expect(timerDelay(1234)).toBe(1234);
    expect(timerDelay(Number.MAX_SAFE_INTEGER)).toBe(maxTimerMs);
  });
});
