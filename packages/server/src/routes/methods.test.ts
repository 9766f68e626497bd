import { describe, expect, it } from "vitest";
import { matches, RouteMethods } from "./methods.ts";

describe("matches", () => {
  it.each([
    ["/api/v1/projects/:project", "/api/v1/projects/a", true],
    ["/api/v1/projects/:project", "/api/v1/projects/", true], // an empty parameter: the route's validation answers 400
    ["/api/v1/projects/:project", "/api/v1/projects/a/clusters", false],
    ["/api/v1/projects/:project/clusters/:cluster", "/api/v1/projects/a/clusters/b", true],
    ["/api/v1/projects/:project/clusters/:cluster", "/api/v1/projects/a/nodepools/b", false],
    ["/healthz", "/healthz", true],
    ["/healthz", "/healthz/", false],
  ])("%s fits %s: %s", (pattern, path, fits) => {
    expect(matches(pattern, path)).toBe(fits);
  });
});

describe("RouteMethods", () => {
  const table = new RouteMethods();
  table.add("GET", "/api/v1/projects/:project/clusters");
  table.add(["POST"], "/api/v1/projects/:project/clusters");
  table.add("DELETE", "/api/v1/projects/:project/clusters/:cluster");
  table.add("get", "/api/v1/projects/:project/clusters/:cluster");

  it("gathers the methods of every pattern a path fits, HEAD with GET", () => {
    expect(table.allowed("/api/v1/projects/a/clusters")).toEqual(["GET", "HEAD", "POST"]);
    expect(table.allowed("/api/v1/projects/a/clusters/one")).toEqual(["DELETE", "GET", "HEAD"]);
  });

  it("knows no method of an unknown path", () => {
    expect(table.allowed("/api/v1/projects/a/widgets")).toEqual([]);
  });
});
