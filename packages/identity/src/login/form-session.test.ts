import { describe, expect, it } from "vitest";
import { FormSession, formsOf } from "./form-session.ts";
import type { Fetch } from "./http.ts";

describe("formsOf", () => {
  it("finds each form's action, method and inputs, decoding entities", () => {
    const html = `<form id="a" method="post" action="/interaction/x&#47;login"><input type="hidden" name="xsrf" value="a&amp;b&#34;c"/>
<input type="text" name="login" value="" autofocus><input type=password name=password></form>
<form action='https://other.example/next'><input name="q" value='v'></form>`;
    const [first, second] = formsOf({ url: new URL("https://127.0.0.1:5556/interaction/x"), status: 200, html });
    expect(first?.action.href).toBe("https://127.0.0.1:5556/interaction/x/login");
    expect(first?.method).toBe("POST");
    expect([...(first?.fields ?? [])]).toEqual([
      ["xsrf", 'a&b"c'],
      ["login", ""],
      ["password", ""],
    ]);
    expect(second?.method).toBe("GET");
    expect(second?.action.href).toBe("https://other.example/next");
  });
});

describe("FormSession", () => {
  it("follows redirects as GET, sends cookies by path and stops where asked", async () => {
    const seen: { url: string; method: string; cookie?: string }[] = [];
    const responses: Record<string, () => Response> = {
      "https://i/auth": () => new Response(null, { status: 303, headers: [["location", "/interaction/1"], ["set-cookie", "_interaction=abc; path=/interaction/1; httponly"], ["set-cookie", "_session=s; path=/"]] }),
      "https://i/interaction/1": () => new Response(null, { status: 303, headers: { location: "http://127.0.0.1/callback?code=c" } }),
    };
    const fetch: Fetch = (url, init) => {
      const headers = (init?.headers ?? {}) as Record<string, string>;
      seen.push({ url, method: init?.method ?? "GET", ...(headers.cookie === undefined ? {} : { cookie: headers.cookie }) });
      const respond = responses[url];
      return Promise.resolve(respond ? respond() : new Response("missing", { status: 404 }));
    };
    const session = new FormSession(fetch);
    const result = await session.navigate(new URL("https://i/auth"), { method: "POST", body: new URLSearchParams({ a: "b" }) }, (l) => l.pathname === "/callback");
    expect(result instanceof URL && result.href).toBe("http://127.0.0.1/callback?code=c");
    expect(seen).toEqual([
      { url: "https://i/auth", method: "POST" },
      { url: "https://i/interaction/1", method: "GET", cookie: "_interaction=abc; _session=s" },
    ]);
  });
});
