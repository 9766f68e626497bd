import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { crdsDir, renderCRDs } from "./files.ts";

describe("the checked-in CRDs", () => {
  it("are what the TypeBox definitions generate (run `npm run generate -w @seedbed/api` after changing a kind)", () => {
    const generated = renderCRDs();
    const onDisk = readdirSync(crdsDir).filter((f) => f.endsWith(".yaml")).sort();
    expect(onDisk).toEqual([...generated.keys()].sort());
    for (const [name, yaml] of generated) {
      expect(readFileSync(`${crdsDir}${name}`, "utf8"), `${name} is stale`).toBe(yaml);
    }
  });
});
