import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { admissionPoliciesFile, chartAdmissionPoliciesFile, renderAdmissionPolicies, renderChartAdmissionPolicies } from "./files.ts";

describe("the checked-in admission policies", () => {
  it("in deploy/policies/ are what the TypeScript definitions generate (run `npm run generate -w @seedbed/api` after changing one)", () => {
    expect(readFileSync(admissionPoliciesFile, "utf8")).toBe(renderAdmissionPolicies());
  });

  it("in the Helm chart's templates are the same, with the chart's labels and nothing Helm would expand", () => {
    const chart = readFileSync(chartAdmissionPoliciesFile, "utf8");
    expect(chart).toBe(renderChartAdmissionPolicies());
    // The only template action is the labels include: CEL must not contain "{{".
    expect(chart.split("{{").length - 1).toBe(chart.split('{{- include "seedbed.labels" . | nindent 4 }}').length - 1);
  });
});
