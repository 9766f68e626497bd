import { describe, expect, it } from "vitest";
import { productionDeps } from "./production-deps.ts";

describe("productionDeps", () => {
  it("keeps what `npm ci --omit=dev` installs and the workspace links", () => {
    const deps = productionDeps({
      packages: {
        "": { dev: false },
        "packages/cli": {},
        "node_modules/@seedbed/cli": { link: true, resolved: "packages/cli" },
        "node_modules/yaml": {},
        "node_modules/vitest": { dev: true },
        "node_modules/fsevents": { optional: true },
        "node_modules/a/node_modules/b": {},
        "packages/cli/node_modules/commander": {},
        "packages/cli/node_modules/typescript": { dev: true },
      },
    });
    expect(deps.folders).toEqual(["node_modules/a/node_modules/b", "node_modules/fsevents", "node_modules/yaml", "packages/cli/node_modules/commander"]);
    expect(deps.links).toEqual([{ path: "node_modules/@seedbed/cli", target: "packages/cli" }]);
    expect([...deps.optional]).toEqual(["node_modules/fsevents"]);
  });

  it("says how to fix a lock it cannot read", () => {
    expect(() => productionDeps({})).toThrow(/no "packages" map; regenerate it with npm 7 or later/);
    expect(() => productionDeps({ packages: { "node_modules/@seedbed/x": { link: true } } })).toThrow(/the link node_modules\/@seedbed\/x has no "resolved"/);
  });
});
