import type { LayerSpec } from "../layout/spec.ts";

/** The non-root user every Seedbed image runs as (distroless's `nonroot`). */
export const nonroot = { uid: 65532, gid: 65532, name: "nonroot", home: "/home/nonroot" } as const;

/** The search path every image sets. */
export const imagePath = "PATH=/usr/local/bin:/usr/bin:/bin";

/**
 * The bottom layer of every image, in the manner of distroless/static:
 * passwd and group naming root and nonroot (a process looking up its own
 * user finds one), nsswitch.conf, a sticky /tmp and nonroot's home. It is
 * the same for every image, so containerd stores it once.
 */
export function baseLayer(): LayerSpec {
  const { uid, gid, name, home } = nonroot;
  return {
    entries: [
      { type: "file", path: "/etc/passwd", content: `root:x:0:0:root:/root:/sbin/nologin\n${name}:x:${uid}:${gid}:${name}:${home}:/sbin/nologin\n` },
      { type: "file", path: "/etc/group", content: `root:x:0:\n${name}:x:${gid}:\n` },
      { type: "file", path: "/etc/nsswitch.conf", content: "passwd: files\ngroup: files\nhosts: files dns\n" },
      { type: "directory", path: "/root", mode: 0o700 },
      { type: "directory", path: "/tmp", mode: 0o1777 },
      { type: "directory", path: home, mode: 0o700, uid, gid },
    ],
  };
}
