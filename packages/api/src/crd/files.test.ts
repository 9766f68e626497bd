import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chartCRDsDir, crdOutputDirs, crdsDir, renderCRDs } from "./files.ts";

describe("the checked-in CRDs", () => {
  it("are generated into deploy/crds/ and into the Helm chart's crds/", () => {
    expect(crdOutputDirs).toEqual([crdsDir, chartCRDsDir]);
    expect(chartCRDsDir).toMatch(/\/deploy\/helm\/seedbed\/crds\/$/);
  });

  it.each(crdOutputDirs)("in %s are what the TypeBox definitions generate (run `npm run generate -w @seedbed/api` after changing a kind)", (dir) => {
    const generated = renderCRDs();
    const onDisk = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
    expect(onDisk, `${dir} holds other files than the generator writes`).toEqual([...generated.keys()].sort());
    for (const [name, yaml] of generated) {
      expect(readFileSync(join(dir, name), "utf8"), `${join(dir, name)} is stale`).toBe(yaml);
    }
  });
});
