import { describe, expect, it } from "vitest";
import { HttpError } from "../errors.ts";
import { bearerToken } from "./bearer.ts";
import { roleOf } from "./membership.ts";

describe("bearerToken", () => {
  it.each([["Bearer abc.def", "abc.def"], ["bearer  xyz ", "xyz"]])("reads %j", (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([undefined, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer a b"])("answers 401 to %j", (header) => {
    expect(() => bearerToken(header)).toThrow(HttpError);
    try {
      bearerToken(header);
    } catch (error) {
      expect((error as HttpError).status).toBe(401);
    }
  });
});

describe("roleOf", () => {
  const project = {
    spec: {
      members: [
        { kind: "User" as const, name: "alice", role: "owner" as const },
        { kind: "Group" as const, name: "devs", role: "viewer" as const },
        { kind: "Group" as const, name: "leads", role: "editor" as const },
        { kind: "Group" as const, name: "bob", role: "owner" as const },
      ],
    },
  };

  it.each([
    ["a user by name", { username: "alice", groups: [] }, "owner"],
    ["a user through a group", { username: "carol", groups: ["devs"] }, "viewer"],
    ["the strongest of several groups", { username: "carol", groups: ["devs", "leads"] }, "editor"],
    ["nobody for a user named like a group", { username: "bob", groups: [] }, undefined],
    ["nobody for a stranger", { username: "mallory", groups: ["system:authenticated"] }, undefined],
  ])("finds %s", (_what, caller, role) => {
    expect(roleOf(project, caller)).toBe(role);
  });
});
