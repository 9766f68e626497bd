import { once } from "node:events";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { connect, type ConnectionOptions } from "node:tls";
import { beforeAll, describe, expect, it } from "vitest";
import { maxClientHelloBytes, readServerName } from "./client-hello.ts";

/**
 * The first TLS record a real Node client sends (its ClientHello), taken
 * by a plain TCP server that never answers. The record's own length says
 * when it is complete, so the capture does not depend on the parser.
 */
async function captureClientHello(options: ConnectionOptions): Promise<Buffer> {
  const server = createServer();
  const captured = new Promise<Buffer>((resolve) => {
    server.once("connection", (socket: Socket) => {
      let received = Buffer.alloc(0);
      socket.on("data", (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length >= 5 && received.length >= 5 + received.readUInt16BE(3)) {
          socket.destroy();
          resolve(received);
        }
      });
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const client = connect({ host: "127.0.0.1", port: (server.address() as AddressInfo).port, rejectUnauthorized: false, ...options });
  client.on("error", () => undefined); // reset by the capture; expected
  try {
    return await captured;
  } finally {
    client.destroy();
    server.close();
  }
}

/** The handshake message of a one-record hello, cut into records of `size` bytes. */
function fragment(hello: Buffer, size: number): Buffer {
  const message = hello.subarray(5);
  const records: Buffer[] = [];
  for (let at = 0; at < message.length; at += size) {
    const part = message.subarray(at, at + size);
    records.push(Buffer.from([22, 3, 1, part.length >> 8, part.length & 0xff]), part);
  }
  return Buffer.concat(records);
}

function u16(n: number): Buffer {
  return Buffer.from([n >> 8, n & 0xff]);
}

/** A synthetic TLS 1.2-style ClientHello with the given extensions (type and data), for cases real clients never send. */
function syntheticHello(extensions: readonly (readonly [number, Buffer])[] | undefined): Buffer {
  const parts = [u16(0x0303), Buffer.alloc(32), Buffer.from([0]), u16(2), u16(0x1301), Buffer.from([1, 0])];
  if (extensions) {
    const body = Buffer.concat(extensions.map(([type, data]) => Buffer.concat([u16(type), u16(data.length), data])));
    parts.push(u16(body.length), body);
  }
  const body = Buffer.concat(parts);
  const message = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([22, 3, 1]), u16(message.length), message]);
}

/** A server_name extension body listing (name_type, name) entries. */
function serverNameExtension(entries: readonly (readonly [number, Buffer])[]): Buffer {
  const list = Buffer.concat(entries.map(([type, name]) => Buffer.concat([Buffer.from([type]), u16(name.length), name])));
  return Buffer.concat([u16(list.length), list]);
}

describe("readServerName", () => {
  let tls12: Buffer;
  let tls13: Buffer;
  let noSNI: Buffer;

  beforeAll(async () => {
    tls12 = await captureClientHello({ servername: "a.p1.example.test", maxVersion: "TLSv1.2" });
    tls13 = await captureClientHello({ servername: "b.p1.example.test", minVersion: "TLSv1.3" });
    // Node sends no SNI when connecting to an IP address without a servername.
    noSNI = await captureClientHello({});
  });

  it("reads the name from a real TLS 1.2 ClientHello", () => {
    expect(readServerName(tls12)).toEqual({ status: "ok", serverName: "a.p1.example.test" });
  });

  it("reads the name from a real TLS 1.3 ClientHello", () => {
    expect(readServerName(tls13)).toEqual({ status: "ok", serverName: "b.p1.example.test" });
  });

  it("says no-sni for a real ClientHello without a server name", () => {
    expect(readServerName(noSNI)).toEqual({ status: "no-sni" });
  });

  it("returns the name as sent, case and trailing dot included", async () => {
    const hello = await captureClientHello({ servername: "A.P1.Example.Test." });
    expect(readServerName(hello)).toEqual({ status: "ok", serverName: "A.P1.Example.Test." });
  });

  it("asks for more at every length short of the whole hello, and never throws", () => {
    for (const hello of [tls12, tls13, noSNI]) {
      for (let length = 0; length < hello.length; length++) {
        expect(readServerName(hello.subarray(0, length)), `${length} of ${hello.length} bytes`).toEqual({ status: "need-more" });
      }
    }
  });

  it("ignores bytes after the hello", () => {
    expect(readServerName(Buffer.concat([tls13, Buffer.from([20, 3, 3, 0, 1, 1])]))).toEqual({ status: "ok", serverName: "b.p1.example.test" });
  });

  it("reassembles a hello spread over several records, asking for more until the last", () => {
    for (const size of [1, 7, 100]) {
      const split = fragment(tls13, size);
      expect(readServerName(split), `records of ${size} bytes`).toEqual({ status: "ok", serverName: "b.p1.example.test" });
      expect(readServerName(split.subarray(0, split.length - 1))).toEqual({ status: "need-more" });
    }
  });

  it("rejects what is not a TLS handshake as soon as the first bytes show it", () => {
    expect(readServerName(Buffer.from("GET / HTTP/1.1\r\nHost: a.p1.example.test\r\n\r\n"))).toMatchObject({ status: "invalid" });
    expect(readServerName(Buffer.from([22]))).toEqual({ status: "need-more" });
    expect(readServerName(Buffer.from([22, 2]))).toMatchObject({ status: "invalid", reason: "not a TLS record version" });
    // An SSLv2-compatible hello: no SNI possible, refused.
    expect(readServerName(Buffer.from([0x80, 0x2e, 0x01, 0x03, 0x01]))).toMatchObject({ status: "invalid" });
    expect(readServerName(Buffer.from([22, 3, 1, 0, 0]))).toMatchObject({ status: "invalid", reason: "a handshake record of 0 bytes" });
    expect(readServerName(Buffer.from([22, 3, 1, 0, 4, 2]))).toMatchObject({ status: "invalid", reason: "the first handshake message is not a ClientHello" });
  });

  it("refuses to wait for a hello larger than the limit", () => {
    expect(readServerName(Buffer.from([22, 3, 1, 0x40, 0x00, 1, 0, 0x40, 0x00]))).toMatchObject({ status: "invalid", reason: expect.stringMatching(/exceeds the limit/) as unknown });
    // Legal per record, but one byte per record runs past the byte limit before the hello completes.
    const slow = fragment(Buffer.concat([Buffer.from([22, 3, 1, 0x30, 0x04, 1, 0, 0x30, 0x00]), Buffer.alloc(0x3000)]), 1);
    expect(readServerName(slow)).toMatchObject({ status: "invalid", reason: `no complete ClientHello within ${maxClientHelloBytes} bytes` });
  });

  it("survives random corruption of real hellos without throwing", () => {
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 3000; round++) {
      const hello = Buffer.from([tls12, tls13, noSNI][round % 3] ?? tls12);
      for (let flips = 1 + random(4); flips > 0; flips--) hello[random(hello.length)] = random(256);
      const result = readServerName(hello.subarray(0, hello.length - random(3)));
      expect(["need-more", "ok", "no-sni", "invalid"]).toContain(result.status);
    }
  });

  it("takes the first host_name entry and skips other name types", () => {
    const ext = serverNameExtension([[7, Buffer.from("other")], [0, Buffer.from("a.p1.example.test")], [0, Buffer.from("b.p1.example.test")]]);
    expect(readServerName(syntheticHello([[0, ext]]))).toEqual({ status: "ok", serverName: "a.p1.example.test" });
    expect(readServerName(syntheticHello([[0, serverNameExtension([[7, Buffer.from("other")]])]]))).toEqual({ status: "no-sni" });
  });

  it("says no-sni for a hello without extensions or without server_name", () => {
    expect(readServerName(syntheticHello(undefined))).toEqual({ status: "no-sni" });
    expect(readServerName(syntheticHello([[10, Buffer.from([0, 2, 0, 29])]]))).toEqual({ status: "no-sni" });
  });

  it.each([
    ["an empty host_name", [[0, serverNameExtension([[0, Buffer.alloc(0)]])]]],
    ["a host_name with a NUL byte", [[0, serverNameExtension([[0, Buffer.from("a.p1.example.test\0.evil")]])]]],
    ["a non-ASCII host_name", [[0, serverNameExtension([[0, Buffer.from("ä.p1.example.test")]])]]],
    ["a host_name longer than a DNS name", [[0, serverNameExtension([[0, Buffer.alloc(300, "a")]])]]],
    ["an empty server_name list", [[0, u16(0)]]],
    ["a server_name list longer than its extension", [[0, Buffer.from([0, 9, 0, 0, 1, 97])]]],
    ["two server_name extensions", [[0, serverNameExtension([[0, Buffer.from("a.p1.example.test")]])], [0, serverNameExtension([[0, Buffer.from("b.p1.example.test")]])]]],
  ] as const)("rejects %s", (_title, extensions) => {
    expect(readServerName(syntheticHello(extensions))).toMatchObject({ status: "invalid" });
  });

  it("rejects extensions that run past the hello", () => {
    const hello = syntheticHello([[0, serverNameExtension([[0, Buffer.from("a.p1.example.test")]])]]);
    // Claim one more byte of extensions than the hello holds.
    const extensionsLengthAt = 5 + 4 + 2 + 32 + 1 + 2 + 2 + 2;
    hello.writeUInt16BE(hello.readUInt16BE(extensionsLengthAt) + 1, extensionsLengthAt);
    expect(readServerName(hello)).toMatchObject({ status: "invalid" });
  });
});
