import { systemClock, type Clock } from "@seedbed/runtime";
import type { Machine, MachineProvider, MachineRequest, PoolRef } from "../provider.ts";
import { OpenStackClient } from "./client.ts";
import type { OpenStackCredentials } from "./credentials.ts";
import { OpenStackApiError } from "./http.ts";
import { asObject, asString } from "./json.ts";
import { KeystoneSession } from "./keystone.ts";
import { inPool, poolMetadata, serverIdOf, toMachine } from "./machines.ts";
import { escapeRegExp, novaListAll, novaServer, type NovaServer } from "./nova.ts";
import { resolveRefs, type OpenStackSettings, type ResolvedRefs } from "./resolve.ts";

/** What tests and callers may swap: time (token renewal), the network, and patience. */
export interface OpenStackProviderOptions {
  readonly clock?: Clock;
  readonly fetch?: typeof globalThis.fetch;
  /** Per request; 30 s by default. */
  readonly requestTimeoutMs?: number;
}

/** Nova's limit on user_data, which it counts in base64 characters. */
const maxUserDataLength = 65_535;

/**
 * Machines as Nova servers, through the documented REST APIs (Keystone v3,
 * Nova v2.1 without microversion, Neutron v2.0, Glance v2) and no SDK. A
 * server belongs to a pool by its metadata (see machines.ts); its name is
 * the machine name, which is how create stays idempotent.
 */
export class OpenStackProvider implements MachineProvider {
  readonly type = "openstack";
  readonly #settings: OpenStackSettings;
  readonly #client: OpenStackClient;
  #refs: Promise<ResolvedRefs> | undefined;

  constructor(settings: OpenStackSettings, credentials: OpenStackCredentials, options: OpenStackProviderOptions = {}) {
    this.#settings = settings;
    const http = { fetch: options.fetch ?? globalThis.fetch, timeoutMs: options.requestTimeoutMs ?? 30_000 };
    this.#client = new OpenStackClient(new KeystoneSession(credentials, http, options.clock ?? systemClock), http);
  }

  async create(request: MachineRequest): Promise<Machine> {
    const existing = await this.#find(request.pool, request.name);
    if (existing !== undefined) return toMachine(existing);
    const userData = Buffer.from(request.userData, "utf8").toString("base64");
    if (userData.length > maxUserDataLength) {
      throw new Error(`OpenStack: the user data of ${request.name} is ${userData.length} base64 characters; Nova accepts at most ${maxUserDataLength}`);
    }
    const refs = await this.#resolved();
    const { availabilityZone, securityGroups } = this.#settings;
    const reply = await this.#client.call("compute", "POST", "/servers", {
      server: {
        name: request.name,
        flavorRef: refs.flavorId,
        imageRef: refs.imageId,
        networks: [{ uuid: refs.networkId }],
        ...(availabilityZone !== undefined && availabilityZone !== "" ? { availability_zone: availabilityZone } : {}),
        ...(securityGroups !== undefined && securityGroups.length > 0 ? { security_groups: securityGroups.map((name) => ({ name })) } : {}),
        user_data: userData,
        metadata: poolMetadata(request.pool),
      },
    });
    // The 202 reply holds little more than the ID; read the server for its status and creation time.
    const id = asString(asObject(asObject(reply, "the create reply").server, "server").id, "server.id");
    return toMachine(await this.#server(id));
  }

  async delete(pool: PoolRef, machine: Machine): Promise<void> {
    const id = serverIdOf(machine.providerID) ?? (await this.#find(pool, machine.name))?.id;
    if (id === undefined) return;
    try {
      await this.#client.call("compute", "DELETE", `/servers/${encodeURIComponent(id)}`);
    } catch (error) {
      // 404: deleted before, by us or by someone else; either way it is gone.
      if (error instanceof OpenStackApiError && error.status === 404) return;
      throw error;
    }
  }

  /**
   * Nova cannot filter a list by metadata, so list the servers whose name
   * starts with "<pool>-" and keep those tagged with this cluster and pool.
   */
  async list(pool: PoolRef): Promise<Machine[]> {
    const query = new URLSearchParams({ name: `^${escapeRegExp(pool.name)}-` });
    const servers = await novaListAll(this.#client, "/servers/detail", query, "servers");
    return servers.map(novaServer).filter((s) => inPool(s, pool)).map(toMachine);
  }

  /** The pool's server named `name`, if there is one. */
  async #find(pool: PoolRef, name: string): Promise<NovaServer | undefined> {
    const query = new URLSearchParams({ name: `^${escapeRegExp(name)}$` });
    const servers = await novaListAll(this.#client, "/servers/detail", query, "servers");
    return servers.map(novaServer).find((s) => s.name === name && inPool(s, pool));
  }

  async #server(id: string): Promise<NovaServer> {
    const reply = await this.#client.call("compute", "GET", `/servers/${encodeURIComponent(id)}`);
    return novaServer(asObject(reply, "the server reply").server);
  }

  /** The IDs of the spec's names, looked up once per provider; a failed lookup is tried again next time. */
  #resolved(): Promise<ResolvedRefs> {
    this.#refs ??= resolveRefs(this.#client, this.#settings).catch((error: unknown) => {
      this.#refs = undefined;
      throw error;
    });
    return this.#refs;
  }
}
