import { describe, expect, it } from "vitest";
import { testContext } from "./catalog/test-context.ts";
import { desiredAddons } from "./desired.ts";

const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const podinfo = { repository: "oci://registry.example.com/charts", chart: "podinfo", version: "6.9.0", namespace: "apps" };

describe("desiredAddons", () => {
  it("renders a Helm entry as its chart, release named after the add-on, with its CA bundle when it has one", () => {
    const [withCA, without] = desiredAddons(
      [
        { name: "a", enabled: true, helm: { ...podinfo, caBundle: ca, values: { replicaCount: 2 } } },
        { name: "b", enabled: true, helm: podinfo },
      ],
      { context: testContext },
    );
    expect(withCA).toEqual({ name: "a", rendering: { source: "Helm", ...podinfo, release: "a", values: { replicaCount: 2 }, caBundle: ca } });
    expect(without).toEqual({ name: "b", rendering: { source: "Helm", ...podinfo, release: "b", values: {} } });
  });

  it("leaves out what is disabled, and names an unknown add-on without a chart with the fix", () => {
    const desired = desiredAddons([{ name: "off", enabled: false, helm: podinfo }, { name: "prometheus", enabled: true }], { context: testContext });
    expect(desired).toEqual([{ name: "prometheus", problem: expect.stringMatching(/give it spec\.addons\[\]\.helm or remove it/) as unknown }]);
  });
});
