import { describe, expect, it } from "vitest";
import { bulkSummary, confirmsDelete, deletePhrase, runEach } from "./bulk-run.ts";

describe("runEach", () => {
  it("runs every item, never more than the concurrency at once, and keeps failures as results", async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    const results = await runEach([1, 2, 3, 4, 5], async (n) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      if (n === 3) throw new Error("cluster 3 is being deleted");
    }, { concurrency: 2, describe: (e) => (e instanceof Error ? e.message : "?"), onResult: (_r, i) => seen.push(i) });
    expect(most).toBe(2);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => r.ok)).toEqual([true, true, false, true, true]);
    expect(results[2]?.message).toBe("cluster 3 is being deleted");
  });

  it("does nothing for no items", async () => {
    expect(await runEach([], () => Promise.resolve(), { concurrency: 4, describe: String })).toEqual([]);
  });
});

describe("confirmsDelete", () => {
  it("takes the phrase or the number, nothing else", () => {
    expect(deletePhrase(1)).toBe("delete 1 cluster");
    expect(confirmsDelete("delete 3 clusters", 3)).toBe(true);
    expect(confirmsDelete("  Delete  3 clusters ", 3)).toBe(true);
    expect(confirmsDelete("3", 3)).toBe(true);
    expect(confirmsDelete("2", 3)).toBe(false);
    expect(confirmsDelete("delete", 3)).toBe(false);
    expect(confirmsDelete("", 3)).toBe(false);
  });
});

describe("bulkSummary", () => {
  it("counts what worked and what failed", () => {
    expect(bulkSummary([{ item: 1, ok: true }, { item: 2, ok: true }], "deleted")).toBe("2 of 2 clusters deleted.");
    expect(bulkSummary([{ item: 1, ok: true }, { item: 2, ok: false, message: "x" }, undefined], "upgrading")).toBe("1 of 3 clusters upgrading; 1 failed.");
  });
});
