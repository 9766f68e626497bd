import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "@seedbed/runtime";
import { ApiError, Violation } from "./check.ts";
import { FakeKeystone, type CatalogEntry, type FakeAccount } from "./keystone.ts";
import { FakeNova, type Reply } from "./nova.ts";

const region = "RegionOne";
const catalog: readonly CatalogEntry[] = [
  { type: "identity", name: "keystone", path: "/identity/v3" },
  { type: "compute", name: "nova", path: "/compute/v2.1" },
  // Neutron's and Glance's catalog URLs carry no version, as in devstack.
  { type: "network", name: "neutron", path: "/network" },
  { type: "image", name: "glance", path: "/image" },
];

/**
 * Test support: an OpenStack cloud on 127.0.0.1 (Keystone, Nova, Neutron,
 * Glance) that checks each request against the API reference (method,
 * path, X-Auth-Token, Content-Type, body fields) and answers as the
 * reference shows. A request it does not accept is answered 400 and
 * recorded in `violations`, which every test expects to stay empty.
 */
export class FakeOpenStack {
  readonly keystone: FakeKeystone;
  readonly nova: FakeNova;
  /** Neutron networks and Glance images, by name. */
  readonly networks: { id: string; name: string }[] = [];
  readonly images: { id: string; name: string; status: string }[] = [];
  readonly violations: string[] = [];
  /** Every request, as "METHOD /path?query". */
  readonly requests: string[] = [];
  /** Requests answered 401 (a token the provider should have renewed, or a revoked one). */
  unauthorized = 0;
  readonly #server: Server;
  #base = "";

  private constructor(account: FakeAccount, clock: Clock) {
    this.keystone = new FakeKeystone(account, clock);
    this.nova = new FakeNova(clock);
    this.#server = createServer((req, res) => void this.#serve(req, res));
  }

  /** Starts the fake on a free port. */
  static async start(account: FakeAccount, clock: Clock): Promise<FakeOpenStack> {
    const fake = new FakeOpenStack(account, clock);
    fake.#server.listen(0, "127.0.0.1");
    await once(fake.#server, "listening");
    fake.#base = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** Keystone's URL as an openrc file gives it. */
  get authURL(): string {
    return `${this.#base}/identity/v3`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", this.#base);
    const method = req.method ?? "GET";
    this.requests.push(`${method} ${url.pathname}${url.search}`);
    let reply: Reply;
    try {
      reply = this.#route(method, url, req, Buffer.concat(chunks).toString("utf8"));
    } catch (error) {
      if (error instanceof ApiError) {
        if (error.status === 401) this.unauthorized++;
        reply = { status: error.status, body: error.body };
      } else {
        const message = error instanceof Error ? error.message : String(error);
        this.violations.push(`${method} ${url.pathname}: ${message}`);
        reply = { status: 400, body: { badRequest: { code: 400, message: `fake OpenStack rejected the request: ${message}` } } };
      }
    }
    res.writeHead(reply.status, { ...(reply.body === undefined ? {} : { "Content-Type": "application/json" }), ...reply.headers });
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  #route(method: string, url: URL, req: IncomingMessage, text: string): Reply {
    const path = url.pathname;
    if (path.startsWith("/wrong/")) throw new Violation("an endpoint of the catalog that is not public or not in the credentials' region");
    const hasBody = text !== "";
    if (hasBody && req.headers["content-type"]?.split(";")[0] !== "application/json") throw new Violation("a body needs Content-Type: application/json");
    if ((method === "GET" || method === "DELETE") && hasBody) throw new Violation(`${method} takes no body`);
    let body: unknown;
    try {
      body = hasBody ? JSON.parse(text) : undefined;
    } catch {
      throw new Violation("the body is not JSON");
    }
    if (path === "/identity/v3/auth/tokens") {
      if (method !== "POST") throw new Violation(`Keystone has no ${method} ${path} in this fake`);
      const issued = this.keystone.authenticate(body, this.#base, region, catalog);
      return { status: 201, headers: { "X-Subject-Token": issued.token }, body: issued.body };
    }
    const token = req.headers["x-auth-token"];
    if (typeof token !== "string") throw new Violation("X-Auth-Token header missing");
    this.keystone.check(token);
    if (path.startsWith("/compute/v2.1/")) return this.nova.handle(method, path.slice("/compute/v2.1".length), url.searchParams, body, `${this.#base}/compute/v2.1`);
    if (method === "GET" && path === "/network/v2.0/networks") {
      onlyQuery(url, ["name", "id", "fields", "limit", "marker"]);
      return { status: 200, body: { networks: byName(this.networks, url.searchParams).map(networkView) } };
    }
    if (method === "GET" && path === "/image/v2/images") {
      onlyQuery(url, ["name", "status", "visibility", "limit", "marker"]);
      const status = url.searchParams.get("status");
      const images = byName(this.images, url.searchParams).filter((i) => status === null || i.status === status);
      return { status: 200, body: { images: images.map(imageView), first: `/v2/images${url.search}`, schema: "/v2/schemas/images" } };
    }
    throw new Violation(`no such API: ${method} ${path}`);
  }
}

/** A Violation for a query parameter the list does not document. */
function onlyQuery(url: URL, allowed: readonly string[]): void {
  const extra = [...url.searchParams.keys()].filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw new Violation(`${url.pathname} has no query parameter ${extra.join(", ")}`);
}

/** Neutron's and Glance's name filter: an exact match. */
function byName<T extends { name: string }>(items: readonly T[], query: URLSearchParams): T[] {
  const name = query.get("name");
  return items.filter((i) => name === null || i.name === name);
}

function networkView(n: { id: string; name: string }): Record<string, unknown> {
  return { id: n.id, name: n.name, status: "ACTIVE", admin_state_up: true, shared: false, subnets: [], tenant_id: "p-1", project_id: "p-1", "router:external": false, mtu: 1450 };
}

function imageView(i: { id: string; name: string; status: string }): Record<string, unknown> {
  return { id: i.id, name: i.name, status: i.status, visibility: "public", disk_format: "qcow2", container_format: "bare", min_disk: 0, min_ram: 0, self: `/v2/images/${i.id}`, file: `/v2/images/${i.id}/file` };
}
