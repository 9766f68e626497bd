import type { OpenStackClient } from "./client.ts";
import { asArray, asObject, asString, asStringMap, optionalString, type JsonObject } from "./json.ts";

/** The fields of a Nova server this provider reads. */
export interface NovaServer {
  readonly id: string;
  readonly name: string;
  /** BUILD, ACTIVE, ERROR, SHUTOFF, DELETED, SOFT_DELETED, … */
  readonly status: string;
  /** OS-EXT-STS:task_state, e.g. "deleting" while a delete is under way. */
  readonly taskState: string | undefined;
  readonly created: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A server of a GET /servers/{id} or /servers/detail reply. */
export function novaServer(value: unknown): NovaServer {
  const s = asObject(value, "server");
  return {
    id: asString(s.id, "server.id"),
    name: asString(s.name, "server.name"),
    status: asString(s.status, "server.status"),
    taskState: optionalString(s["OS-EXT-STS:task_state"], "server.OS-EXT-STS:task_state"),
    created: asString(s.created, "server.created"),
    metadata: asStringMap(s.metadata, "server.metadata"),
  };
}

/**
 * Every item of a paginated Nova list (`key` is "servers" or "flavors").
 * Nova caps a page at osapi_max_limit (1000 by default) and links the next
 * page; we follow it with marker=<last id> rather than the link itself,
 * whose host is what Nova believes its own URL to be, not always the
 * catalog's.
 */
export async function novaListAll(client: OpenStackClient, path: string, query: URLSearchParams, key: string): Promise<JsonObject[]> {
  const items: JsonObject[] = [];
  const params = new URLSearchParams(query);
  for (let page = 0; ; page++) {
    if (page > 1000) throw new Error(`OpenStack compute: GET ${path} kept linking a next page; giving up after 1000 pages`);
    const search = params.size > 0 ? `?${params.toString()}` : "";
    const reply = asObject(await client.call("compute", "GET", path + search), `the ${key} reply`);
    const pageItems = asArray(reply[key], key).map((item, i) => asObject(item, `${key}[${i}]`));
    items.push(...pageItems);
    const last = pageItems.at(-1);
    if (last === undefined || !hasNextLink(reply[`${key}_links`])) return items;
    params.set("marker", asString(last.id, `${key}[].id`));
  }
}

function hasNextLink(links: unknown): boolean {
  if (!Array.isArray(links)) return false;
  return links.some((link: unknown) => typeof link === "object" && link !== null && "rel" in link && link.rel === "next");
}

/** Nova's name filter is a regular expression (Python re / SQL REGEXP): match names literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
