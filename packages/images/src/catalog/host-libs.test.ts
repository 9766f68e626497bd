import { describe, expect, it } from "vitest";
import { parseLdd } from "./host-libs.ts";

const node = `	linux-vdso.so.1 (0x00007fb0d6738000)
	libdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007fb0d6722000)
	libstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007fb0d6400000)
	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007fb0d621e000)
	/lib64/ld-linux-x86-64.so.2 (0x00007fb0d673a000)
`;

describe("parseLdd", () => {
  it.each<[string, string, string[]]>([
    ["a dynamic program: its libraries and the loader, not the vDSO", node, ["/lib/x86_64-linux-gnu/libdl.so.2", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"]],
    ["a static Go program", "\tnot a dynamic executable\n", []],
    ["a static-pie program", "\tstatically linked\n", []],
  ])("lists %s", (_, output, paths) => {
    expect(parseLdd(output, "/usr/local/bin/node")).toEqual(paths);
  });

  it("names a library the machine lacks", () => {
    expect(() => parseLdd("\tlibssl.so.3 => not found\n", "/opt/x")).toThrow(/\/opt\/x needs libssl\.so\.3, which this machine does not have/);
  });
});
