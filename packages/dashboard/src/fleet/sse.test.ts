import { describe, expect, it } from "vitest";
import { backoffDelayMs, SSEParser } from "./sse.ts";

describe("SSEParser", () => {
  it("reads events, skipping comments", () => {
    const parser = new SSEParser();
    const events = parser.push(': watching\n\nevent: ADDED\ndata: {"name":"a1"}\n\n: heartbeat\n\nevent: DELETED\ndata: {"name":"a2"}\n\n');
    expect(events).toEqual([{ event: "ADDED", data: '{"name":"a1"}' }, { event: "DELETED", data: '{"name":"a2"}' }]);
  });

  it("keeps a partial event across chunks, wherever the chunk ends", () => {
    const text = 'event: MODIFIED\ndata: {"x":1}\n\nevent: ERROR\ndata: {"error":{}}\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new SSEParser();
      const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
      expect(events.map((e) => e.event)).toEqual(["MODIFIED", "ERROR"]);
    }
  });

  it("handles CRLF line ends, also split between chunks", () => {
    const parser = new SSEParser();
    expect(parser.push("event: ADDED\r\ndata: 1\r")).toEqual([]);
    expect(parser.push("\n\r\n")).toEqual([{ event: "ADDED", data: "1" }]);
  });

  it("joins data lines and defaults the type to message", () => {
    const parser = new SSEParser();
    expect(parser.push("data: a\ndata:b\nid: 7\n\n")).toEqual([{ event: "message", data: "a\nb", id: "7" }]);
  });

  it("dispatches nothing for an event without data", () => {
    const parser = new SSEParser();
    expect(parser.push("event: ADDED\n\n")).toEqual([]);
    expect(parser.push("data: x\n\n")).toEqual([{ event: "message", data: "x" }]);
  });
});

describe("backoffDelayMs", () => {
  it("doubles from a second up to thirty", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => backoffDelayMs(n))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it("takes other bounds", () => {
    expect(backoffDelayMs(2, { baseMs: 100, maxMs: 300 })).toBe(300);
    expect(backoffDelayMs(-1, { baseMs: 100 })).toBe(100);
  });
});
