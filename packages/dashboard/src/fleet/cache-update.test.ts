import { describe, expect, it } from "vitest";
import { applyChange, parseWatchData, watchErrorMessage } from "./cache-update.ts";

const item = (name: string, resourceVersion: string, phase = "Running") => ({ metadata: { name, resourceVersion }, phase });

describe("applyChange", () => {
  const list = [item("a", "10"), item("c", "12")];

  it("adds in name order and replaces by name", () => {
    expect(applyChange(list, "ADDED", "b", item("b", "13"))?.map((i) => i.metadata.name)).toEqual(["a", "b", "c"]);
    expect(applyChange(list, "MODIFIED", "a", item("a", "14", "Degraded"))?.[0]?.phase).toBe("Degraded");
  });

  it("removes on DELETED", () => {
    expect(applyChange(list, "DELETED", "a", undefined)?.map((i) => i.metadata.name)).toEqual(["c"]);
    expect(applyChange(list, "DELETED", "zz", undefined)).toEqual(list);
  });

  it("keeps a newer cached object", () => {
    expect(applyChange(list, "MODIFIED", "c", item("c", "9", "Failed"))?.[1]?.phase).toBe("Running");
    expect(applyChange(list, "MODIFIED", "c", item("c", "opaque", "Failed"))?.[1]?.phase).toBe("Failed");
  });

  it("leaves a list that is not loaded alone", () => {
    expect(applyChange(undefined, "ADDED", "a", item("a", "1"))).toBeUndefined();
  });
});

describe("parseWatchData", () => {
  it("reads the summary and refuses other shapes", () => {
    expect(parseWatchData('{"kind":"Cluster","name":"a1","object":{"metadata":{"name":"a1"}}}')?.name).toBe("a1");
    expect(parseWatchData('{"name":"a1"}')).toBeUndefined();
    expect(parseWatchData("nope")).toBeUndefined();
  });
});

describe("watchErrorMessage", () => {
  it("takes the API's message", () => {
    expect(watchErrorMessage('{"error":{"status":403,"reason":"Forbidden","message":"you are no longer a member of project a"}}')).toBe("you are no longer a member of project a");
    expect(watchErrorMessage("garbage")).toContain("stopped");
  });
});
