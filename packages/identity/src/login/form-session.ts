import type { Fetch } from "./http.ts";

/** A page as the form driver saw it: where it came from, its status and HTML. */
export interface Page {
  readonly url: URL;
  readonly status: number;
  readonly html: string;
}

/** A form found on a page, with its fields' current values. */
export interface Form {
  readonly action: URL;
  readonly method: string;
  readonly fields: Map<string, string>;
}

/** How many redirects one navigation may follow; the issuer's flows need at most a handful. */
const maxRedirects = 20;

/**
 * A minimal browser for the development issuer's own pages: it keeps
 * cookies per host and path, follows redirects by hand (so it can stop at
 * the client's redirect URI without connecting to it) and posts forms.
 * It runs no scripts and understands only the plain forms the issuer serves.
 */
export class FormSession {
  readonly #fetch: Fetch;
  readonly #cookies = new Map<string, { host: string; path: string; name: string; value: string }>();

  constructor(fetch: Fetch) {
    this.#fetch = fetch;
  }

  /**
   * Requests `url` and follows redirects; stops before a redirect for which
   * `stopAt` returns true and returns that location instead of a page.
   */
  async navigate(url: URL, init: { method?: string; body?: URLSearchParams } = {}, stopAt: (location: URL) => boolean = () => false): Promise<Page | URL> {
    let current = url;
    let method = init.method ?? "GET";
    let body = init.body;
    for (let hop = 0; hop <= maxRedirects; hop++) {
      const headers: Record<string, string> = { accept: "text/html" };
      const cookie = this.#cookieHeader(current);
      if (cookie !== "") headers.cookie = cookie;
      if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
      const response = await this.#fetch(current.href, { method, headers, body: body?.toString(), redirect: "manual" });
      this.#storeCookies(current, response.headers.getSetCookie());
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || location === null) {
        return { url: current, status: response.status, html: await response.text() };
      }
      await response.body?.cancel();
      const next = new URL(location, current);
      if (stopAt(next)) return next;
      current = next;
      // 301-303 turn a POST into a GET, as browsers do; 307/308 would keep it, and the issuer sends none after a POST.
      method = "GET";
      body = undefined;
    }
    throw new Error(`more than ${maxRedirects} redirects from ${url.origin}${url.pathname}`);
  }

  /** Posts a form with its fields. */
  submit(form: Form, stopAt?: (location: URL) => boolean): Promise<Page | URL> {
    const body = new URLSearchParams([...form.fields]);
    if (form.method === "GET") {
      const target = new URL(form.action);
      target.search = body.toString();
      return this.navigate(target, {}, stopAt);
    }
    return this.navigate(form.action, { method: "POST", body }, stopAt);
  }

  #cookieHeader(url: URL): string {
    return [...this.#cookies.values()]
      .filter((c) => c.host === url.host && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`)))
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  #storeCookies(url: URL, setCookies: readonly string[]): void {
    for (const header of setCookies) {
      const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attribute = (key: string): string | undefined =>
        attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const path = attribute("path") ?? defaultPath(url);
      const key = `${url.host} ${path} ${name}`;
      const expires = attribute("expires");
      const maxAge = attribute("max-age");
      const expired = (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { host: url.host, path, name, value });
    }
  }
}

function defaultPath(url: URL): string {
  const slash = url.pathname.lastIndexOf("/");
  return slash <= 0 ? "/" : url.pathname.slice(0, slash);
}

/** The forms of a page, in document order, with their inputs' names and values. */
export function formsOf(page: Page): Form[] {
  const forms: Form[] = [];
  for (const match of page.html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attributes = match[1] ?? "";
    const fields = new Map<string, string>();
    for (const input of (match[2] ?? "").matchAll(/<input\b([^>]*)>/gi)) {
      const name = attributeOf(input[1] ?? "", "name");
      if (name !== undefined) fields.set(name, attributeOf(input[1] ?? "", "value") ?? "");
    }
    forms.push({
      action: new URL(attributeOf(attributes, "action") ?? page.url.href, page.url),
      method: (attributeOf(attributes, "method") ?? "GET").toUpperCase(),
      fields,
    });
  }
  return forms;
}

function attributeOf(attributes: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, "i").exec(attributes);
  if (!match) return undefined;
  return decodeEntities(match[1] ?? match[2] ?? match[3] ?? "");
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity.startsWith("#x") || entity.startsWith("#X")) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return named[entity.toLowerCase()] ?? whole;
  });
}
