import type { OpenStackClient } from "./client.ts";
import { asArray, asObject, asString } from "./json.ts";
import { novaListAll } from "./nova.ts";

/** A NodePool's spec.provider.openstack: each of flavor, image and network by name or by ID. */
export interface OpenStackSettings {
  readonly flavor: string;
  readonly image: string;
  readonly network: string;
  readonly availabilityZone?: string;
  /** Security group names (Nova takes names, not IDs, in POST /servers). */
  readonly securityGroups?: readonly string[];
}

/** The IDs Nova's POST /servers wants. */
export interface ResolvedRefs {
  readonly flavorId: string;
  readonly imageId: string;
  readonly networkId: string;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Turns the names of the spec into IDs. Users copy names from the dashboard
 * far more often than IDs, so both are accepted:
 * - flavor: matched by ID, then by name, in GET /flavors/detail (flavor IDs
 *   need not be UUIDs, e.g. "1" or "m1.small", so the list is the only
 *   reliable test);
 * - image and network: a UUID is taken as the ID without a call; anything
 *   else is looked up by name in Glance (GET /v2/images?name=) and Neutron
 *   (GET /v2.0/networks?name=). Glance is asked only for names, so clouds
 *   whose users may not list images still work with image IDs.
 * A name matching several resources is an error that asks for the ID.
 */
export async function resolveRefs(client: OpenStackClient, settings: OpenStackSettings): Promise<ResolvedRefs> {
  const [flavorId, imageId, networkId] = await Promise.all([
    resolveFlavor(client, settings.flavor),
    uuid.test(settings.image) ? settings.image : resolveByName(client, "image", "/images", "images", settings.image),
    uuid.test(settings.network) ? settings.network : resolveByName(client, "network", "/networks", "networks", settings.network),
  ]);
  return { flavorId, imageId, networkId };
}

async function resolveFlavor(client: OpenStackClient, flavor: string): Promise<string> {
  const flavors = await novaListAll(client, "/flavors/detail", new URLSearchParams(), "flavors");
  const byId = flavors.find((f) => f.id === flavor);
  if (byId !== undefined) return flavor;
  const byName = flavors.filter((f) => f.name === flavor).map((f) => asString(f.id, "flavors[].id"));
  return single(byName, "flavor", flavor);
}

async function resolveByName(client: OpenStackClient, service: "image" | "network", path: string, key: string, name: string): Promise<string> {
  const params = new URLSearchParams({ name });
  // Glance lists images in every state; only an active one can boot.
  if (service === "image") params.set("status", "active");
  const reply = asObject(await client.call(service, "GET", `${path}?${params.toString()}`), `the ${key} reply`);
  const ids = asArray(reply[key], key)
    .map((item, i) => asObject(item, `${key}[${i}]`))
    // Filter again: a cloud that ignores the filter must not hand us the first image it has.
    .filter((item) => item.name === name)
    .map((item) => asString(item.id, `${key}[].id`));
  return single(ids, service, name);
}

function single(ids: readonly string[], kind: string, name: string): string {
  const [first, ...rest] = ids;
  if (first === undefined) {
    throw new Error(`OpenStack: no ${kind} named "${name}" is visible to the project; check provider.openstack.${kind} (a name or an ID)`);
  }
  if (rest.length > 0) {
    throw new Error(`OpenStack: ${ids.length} ${kind}s are named "${name}" (${ids.join(", ")}); set provider.openstack.${kind} to the ID of the one to use`);
  }
  return first;
}
