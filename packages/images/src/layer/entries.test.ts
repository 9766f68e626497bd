import { describe, expect, it } from "vitest";
import { planLayer, type LayerEntry } from "./entries.ts";

describe("planLayer", () => {
  it("normalises paths, fills defaults, adds parents and sorts bytewise", () => {
    const planned = planLayer([
      { type: "symlink", path: "/usr/local/bin/kube-apiserver", target: "kubernetes" },
      { type: "file", path: "/usr/local/bin/kubernetes", mode: 0o755, content: "x" },
      { type: "directory", path: "/tmp/", mode: 0o1777 },
      { type: "file", path: "etc/passwd", content: "root:x:0:0::/:/sbin/nologin\n", uid: 0 },
    ]);
    expect(planned.map((e) => [e.path, e.type, e.mode.toString(8), e.uid, e.gid])).toEqual([
      ["etc", "directory", "755", 0, 0],
      ["etc/passwd", "file", "644", 0, 0],
      ["tmp", "directory", "1777", 0, 0],
      ["usr", "directory", "755", 0, 0],
      ["usr/local", "directory", "755", 0, 0],
      ["usr/local/bin", "directory", "755", 0, 0],
      ["usr/local/bin/kube-apiserver", "symlink", "777", 0, 0],
      ["usr/local/bin/kubernetes", "file", "755", 0, 0],
    ]);
  });

  it("gives the same plan whatever order the entries come in", () => {
    const entries: LayerEntry[] = [
      { type: "file", path: "a/b", content: "1" },
      { type: "file", path: "a-b", content: "2" },
      { type: "directory", path: "a", uid: 65532, gid: 65532 },
    ];
    const forward = planLayer(entries);
    expect(planLayer([...entries].reverse())).toEqual(forward);
    expect(forward.map((e) => e.path)).toEqual(["a", "a-b", "a/b"]);
    expect(forward[0]).toMatchObject({ uid: 65532, gid: 65532 });
  });

  it.each<[string, LayerEntry[], RegExp]>([
    ["a path escaping the root", [{ type: "file", path: "/etc/../../x", content: "" }], /entries\[0\]\.path: "\/etc\/\.\.\/\.\.\/x" is not a clean path/],
    ["the root itself", [{ type: "directory", path: "/" }], /entries\[0\]\.path: "\/" is not a clean path/],
    ["a double slash", [{ type: "file", path: "usr//bin/x", content: "" }], /not a clean path/],
    ["a mode out of range", [{ type: "file", path: "x", mode: 0o17777, content: "" }], /entries\[0\]\.mode: 8191 is not a permission mode/],
    ["a negative uid", [{ type: "file", path: "x", uid: -1, content: "" }], /entries\[0\]\.uid: -1 is not a user or group id/],
    ["a fractional gid", [{ type: "directory", path: "x", gid: 1.5 }], /entries\[0\]\.gid: 1\.5/],
    ["a symlink without target", [{ type: "symlink", path: "x", target: "" }], /entries\[0\]\.target: a symbolic link needs a target/],
    ["one path twice", [{ type: "file", path: "/x", content: "" }, { type: "directory", path: "x/" }], /entries\[1\]\.path: "x\/" is listed twice/],
    ["a file used as a directory", [{ type: "file", path: "bin", content: "" }, { type: "file", path: "bin/x", content: "" }], /"bin" is a file but "bin\/x" is inside it/],
  ])("refuses %s, naming the field", (_, entries, message) => {
    expect(() => planLayer(entries)).toThrow(message);
  });
});
