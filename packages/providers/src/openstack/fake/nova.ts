import { randomUUID } from "node:crypto";
import type { Clock } from "@seedbed/runtime";
import { array, isBase64, novaError, object, onlyKeys, string, Violation } from "./check.ts";

/** A server as the fake keeps it; the test reads and changes these directly. */
export interface FakeServer {
  readonly id: string;
  readonly name: string;
  status: string;
  taskState: string | null;
  readonly created: string;
  readonly flavorRef: string;
  readonly imageRef: string;
  readonly networks: readonly string[];
  readonly availabilityZone: string | undefined;
  readonly securityGroups: readonly string[];
  readonly userData: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A reply of the fake. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The keys of "server" in POST /servers that Nova v2.1 defines (additionalProperties: false). */
const serverKeys = [
  "name", "imageRef", "flavorRef", "adminPass", "metadata", "networks", "OS-DCF:diskConfig", "accessIPv4", "accessIPv6",
  "personality", "availability_zone", "block_device_mapping", "block_device_mapping_v2", "config_drive", "key_name",
  "min_count", "max_count", "return_reservation_id", "security_groups", "user_data", "description", "tags", "trusted_image_certificates", "host", "hypervisor_hostname",
];
/** Nova's metadata schema: keys of these characters only, string values up to 255. */
const metadataKey = /^[a-zA-Z0-9_:. -]{1,255}$/;

/**
 * Nova v2.1 (no microversion) as its API reference documents it, for the
 * calls the provider makes: POST /servers, GET /servers/detail (name is a
 * regular expression; limit/marker paging with a next link when a page is
 * full), GET and DELETE /servers/{id}, GET /flavors/detail.
 */
export class FakeNova {
  readonly servers = new Map<string, FakeServer>();
  readonly flavors: { id: string; name: string; vcpus: number; ram: number }[] = [];
  readonly imageIds = new Set<string>();
  readonly networkIds = new Set<string>();
  /** Instances the project may have. */
  quota = 100;
  /** Nova's osapi_max_limit. */
  pageSize = 1000;
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  handle(method: string, path: string, query: URLSearchParams, body: unknown, base: string): Reply {
    if (method === "GET" && path === "/servers/detail") return this.#page("servers", [...this.servers.values()].filter(nameFilter(query)).map((s) => serverView(s, base)), query, base);
    if (method === "GET" && path === "/flavors/detail") return this.#page("flavors", this.flavors.map((f) => ({ ...f, disk: 20, links: [] })), query, base);
    if (method === "POST" && path === "/servers") return this.#create(body, base);
    const id = /^\/servers\/([^/]+)$/.exec(path)?.[1];
    if (id !== undefined && (method === "GET" || method === "DELETE")) {
      const server = this.servers.get(decodeURIComponent(id));
      if (server === undefined) throw novaError(404, "itemNotFound", `Instance ${id} could not be found.`);
      if (method === "GET") return { status: 200, body: { server: serverView(server, base) } };
      server.taskState = "deleting";
      return { status: 204 };
    }
    throw new Violation(`Nova has no ${method} ${path}`);
  }

  /** Completes the deletes under way: the servers vanish from every list. */
  finishDeletes(): void {
    for (const [id, s] of this.servers) if (s.taskState === "deleting") this.servers.delete(id);
  }

  #page(key: string, items: { id: string }[], query: URLSearchParams, base: string): Reply {
    const limitText = query.get("limit");
    const limit = Math.min(limitText === null ? this.pageSize : Number(limitText), this.pageSize);
    if (!Number.isInteger(limit) || limit < 0) throw new Violation(`limit must be a non-negative integer, got ${limitText ?? ""}`);
    const marker = query.get("marker");
    let start = 0;
    if (marker !== null) {
      start = items.findIndex((i) => i.id === marker) + 1;
      if (start === 0) throw novaError(400, "badRequest", `marker [${marker}] not found`);
    }
    const page = items.slice(start, start + limit);
    const last = page.at(-1);
    // Nova links a next page whenever a page is full, even when nothing follows.
    const links = page.length === limit && last !== undefined ? [{ rel: "next", href: `${base}/${key}/detail?limit=${limit}&marker=${last.id}` }] : undefined;
    return { status: 200, body: { [key]: page, ...(links === undefined ? {} : { [`${key}_links`]: links }) } };
  }

  #create(body: unknown, base: string): Reply {
    const outer = object(body, "body");
    onlyKeys(outer, ["server", "os:scheduler_hints", "OS-SCH-HNT:scheduler_hints"], "body");
    const s = object(outer.server, "server");
    onlyKeys(s, serverKeys, "server");
    const name = string(s.name, "server.name");
    if (name.trim() !== name) throw new Violation("server.name must not start or end with whitespace");
    const flavorRef = string(s.flavorRef, "server.flavorRef");
    if (!this.flavors.some((f) => f.id === flavorRef)) throw new Violation(`server.flavorRef ${flavorRef} is no flavor ID`);
    const imageRef = string(s.imageRef, "server.imageRef");
    if (!this.imageIds.has(imageRef)) throw new Violation(`server.imageRef ${imageRef} is no image ID`);
    const networks = array(s.networks, "server.networks").map((n, i) => {
      const network = object(n, `server.networks[${i}]`);
      onlyKeys(network, ["uuid", "port", "fixed_ip", "tag"], `server.networks[${i}]`);
      const uuid = string(network.uuid, `server.networks[${i}].uuid`);
      if (!this.networkIds.has(uuid)) throw new Violation(`server.networks[${i}].uuid ${uuid} is no network ID`);
      return uuid;
    });
    const securityGroups = s.security_groups === undefined ? [] : array(s.security_groups, "server.security_groups").map((g, i) => {
      const group = object(g, `server.security_groups[${i}]`);
      onlyKeys(group, ["name"], `server.security_groups[${i}]`);
      return string(group.name, `server.security_groups[${i}].name`);
    });
    const userData = s.user_data === undefined ? "" : string(s.user_data, "server.user_data", 65_535);
    if (!isBase64(userData)) throw new Violation("server.user_data must be base64");
    const metadata = object(s.metadata ?? {}, "server.metadata");
    for (const [k, v] of Object.entries(metadata)) {
      if (!metadataKey.test(k)) throw new Violation(`server.metadata key ${JSON.stringify(k)} has characters outside [a-zA-Z0-9-_:. ]`);
      string(v, `server.metadata[${k}]`);
    }
    const availabilityZone = s.availability_zone === undefined ? undefined : string(s.availability_zone, "server.availability_zone");
    if (this.servers.size >= this.quota) {
      throw novaError(403, "forbidden", `Quota exceeded for instances: Requested 1, but already used ${this.servers.size} of ${this.quota} instances`);
    }
    const server: FakeServer = {
      id: randomUUID(), name, status: "BUILD", taskState: "scheduling", created: new Date(this.#clock.now()).toISOString().replace(/\.\d+Z$/, "Z"),
      flavorRef, imageRef, networks, availabilityZone, securityGroups, userData, metadata: metadata as Record<string, string>,
    };
    this.servers.set(server.id, server);
    const links = [{ rel: "self", href: `${base}/servers/${server.id}` }];
    return {
      status: 202,
      headers: { Location: `${base}/servers/${server.id}` },
      body: { server: { id: server.id, links, "OS-DCF:diskConfig": "MANUAL", security_groups: securityGroups.map((g) => ({ name: g })), adminPass: "fake-pass" } },
    };
  }
}

/** Nova's name filter: a regular expression searched in the name. */
function nameFilter(query: URLSearchParams): (s: FakeServer) => boolean {
  const pattern = query.get("name");
  if (pattern === null) return () => true;
  const re = new RegExp(pattern);
  return (s) => re.test(s.name);
}

/** A server as GET /servers/{id} and /servers/detail show it. */
function serverView(s: FakeServer, base: string): { id: string } & Record<string, unknown> {
  return {
    id: s.id, name: s.name, status: s.status, created: s.created, updated: s.created,
    tenant_id: "p-1", user_id: "u-1", hostId: "", key_name: null, accessIPv4: "", accessIPv6: "",
    metadata: s.metadata, addresses: {}, image: { id: s.imageRef, links: [] }, flavor: { id: s.flavorRef, links: [] },
    "OS-EXT-STS:task_state": s.taskState, "OS-EXT-STS:vm_state": s.status.toLowerCase(), "OS-EXT-STS:power_state": 1,
    "OS-EXT-AZ:availability_zone": s.availabilityZone ?? "nova", "OS-DCF:diskConfig": "MANUAL", progress: 0,
    links: [{ rel: "self", href: `${base}/servers/${s.id}` }],
  };
}
