import { describe, expect, it } from "vitest";
import { toStructural } from "../crd/build.ts";
import { defaultOIDCPrefix, OIDC, oidcPrefixProblem } from "./cluster-auth.ts";

describe("the prefixes of a cluster's own issuer", () => {
  it.each([
    ["oidc:", undefined],
    ["dex:team-a:", undefined],
    ["system-ish:", undefined],
    ["", /must not be empty: without a prefix the cluster's own issuer could assert the platform's users/],
    ["oidc", /must end with ":" \("oidc:"\)/],
    ["ali", /"ali" \+ "ce@example.com"/],
    ["system:", /must not start with system:, which is reserved for Kubernetes/],
    ["system:oidc:", /must not start with system:/],
    ["seedbed:", /must not start with seedbed:, which is reserved for the platform/],
  ])("judges %j: %s", (prefix, problem) => {
    if (problem === undefined) expect(oidcPrefixProblem(prefix)).toBeUndefined();
    else expect(oidcPrefixProblem(prefix)).toMatch(problem);
  });

  it("is defaulted to one that passes, for the user name and the groups, and is not required in the CRD", () => {
    expect(oidcPrefixProblem(defaultOIDCPrefix)).toBeUndefined();
    const crd = toStructural(OIDC) as { required?: string[]; properties: Record<string, { default?: string; "x-kubernetes-validations"?: unknown[] }> };
    expect(crd.required).toEqual(["issuerURL", "clientID"]);
    for (const field of ["usernamePrefix", "groupsPrefix"]) {
      expect(crd.properties[field]?.default).toBe(defaultOIDCPrefix);
      expect(crd.properties[field]?.["x-kubernetes-validations"]).toHaveLength(3);
    }
  });
});
