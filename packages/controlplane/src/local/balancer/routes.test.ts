import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listRouteIds, parseRoute, probeServerName, readRoute, removeRoute, setDraining, writeRoute, type Route } from "./routes.ts";

const route: Route = {
  listen: [{ host: "127.0.0.1", port: 21000 }],
  backends: [
    { name: "a0", host: "127.0.0.1", port: 21001 },
    { name: "a1", host: "127.0.0.1", port: 21002 },
  ],
  probe: { path: "/readyz", caFile: "/pki/ca.crt", certFile: "/pki/probe.crt", keyFile: "/pki/probe.key" },
};

describe("a route file", () => {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-routes-"));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("is written whole, read back, and leaves no temporary file", () => {
    writeRoute(dir, "c1", route);
    expect(readRoute(dir, "c1")).toEqual(route);
    expect(readdirSync(dir)).toEqual(["c1.json"]);
    expect(listRouteIds(dir)).toEqual(["c1"]);
  });

  it("marks one backend draining and back", () => {
    writeRoute(dir, "c2", route);
    setDraining(dir, "c2", "a1", true);
    expect(readRoute(dir, "c2")?.backends.map((b) => b.draining)).toEqual([undefined, true]);
    setDraining(dir, "c2", "a1", false);
    expect(readRoute(dir, "c2")?.backends.map((b) => b.draining)).toEqual([undefined, false]);
  });

  it("names what is missing when draining an unknown backend or cluster", () => {
    writeRoute(dir, "c3", route);
    expect(() => setDraining(dir, "c3", "a9", true)).toThrow(/no backend "a9" \(it has: a0, a1\)/);
    expect(() => setDraining(dir, "nope", "a0", true)).toThrow(/cluster nope has no route/);
  });

  it("is gone after removal, and removing it twice is no error", () => {
    writeRoute(dir, "c4", route);
    removeRoute(dir, "c4");
    removeRoute(dir, "c4");
    expect(readRoute(dir, "c4")).toBeUndefined();
  });

  it("ignores files that are not routes", () => {
    writeFileSync(join(dir, ".c5.abc.tmp"), "{}");
    writeFileSync(join(dir, "notes.txt"), "");
    expect(listRouteIds(dir)).not.toContain("c5");
    expect(listRouteIds(dir)).not.toContain("notes.txt");
  });

  it("refuses a cluster id that is not a safe file name", () => {
    expect(() => writeRoute(dir, "../etc", route)).toThrow(/not a safe route file name/);
  });

  it("refuses to write an invalid route", () => {
    expect(() => writeRoute(dir, "c6", { ...route, listen: [] })).toThrow(/listen must be a non-empty list/);
    expect(readRoute(dir, "c6")).toBeUndefined();
  });
});

describe("parsing a route", () => {
  const valid = JSON.stringify(route);
  const with_ = (patch: Record<string, unknown>): string => JSON.stringify({ ...route, ...patch });
  it.each<[string, string, RegExp]>([
    ["not JSON", "{", /r\.json: not JSON/],
    ["not an object", "[]", /the route must be an object/],
    ["no listen address", with_({ listen: [] }), /listen must be a non-empty list/],
    ["a port out of range", with_({ listen: [{ host: "127.0.0.1", port: 70000 }] }), /listen\[0\]\.port must be an integer between 1 and 65535/],
    ["a backend without host", with_({ backends: [{ name: "a", port: 1 }] }), /backends\[0\]\.host must be/],
    ["two backends of one name", with_({ backends: [route.backends[0], route.backends[0]] }), /backends\[1\]\.name "a0" is used twice/],
    ["draining that is no boolean", with_({ backends: [{ ...route.backends[0], draining: "yes" }] }), /backends\[0\]\.draining must be true or false/],
    ["no probe", with_({ probe: undefined }), /probe must be an object/],
    ["a relative probe path", with_({ probe: { ...route.probe, path: "readyz" } }), /probe\.path must be an absolute URL path/],
    ["a relative key file", with_({ probe: { ...route.probe, keyFile: "probe.key" } }), /probe\.keyFile must be an absolute file path/],
    ["a tiny interval", with_({ probe: { ...route.probe, intervalMs: 1 } }), /probe\.intervalMs must be an integer of at least 10/],
  ])("rejects %s", (_name, text, error) => {
    expect(() => parseRoute(text, "r.json")).toThrow(error);
  });

  it("accepts a valid route and one with no backends", () => {
    expect(parseRoute(valid, "r.json")).toEqual(route);
    expect(parseRoute(with_({ backends: [] }), "r.json").backends).toEqual([]);
  });
});

describe("the name a backend's certificate is checked against", () => {
  it.each<[string, Route, string]>([
    ["the listen host", route, "127.0.0.1"],
    ["127.0.0.1 for a route that listens everywhere", { ...route, listen: [{ host: "0.0.0.0", port: 1 }] }, "127.0.0.1"],
    ["the probe's serverName when set", { ...route, probe: { ...route.probe, serverName: "api.example" } }, "api.example"],
  ])("is %s", (_name, value, name) => {
    expect(probeServerName(value)).toBe(name);
  });
});
