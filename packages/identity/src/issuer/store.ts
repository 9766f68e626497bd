import { join } from "node:path";
import type { Adapter, AdapterPayload } from "oidc-provider";
import { readIfExists, writeFileAtomic } from "../files.ts";

/** The file keeping oidc-provider's grants and refresh tokens, so a refresh works after a restart. */
export const storeFile = "store.json";

/** Models kept only in memory: a restart may cut a sign-in in progress short, nothing more. */
const ephemeral = new Set(["Session", "Interaction", "AuthorizationCode", "DeviceCode", "AccessToken", "ReplayDetection", "PushedAuthorizationRequest"]);

interface Entry {
  readonly model: string;
  readonly payload: AdapterPayload;
  /** Milliseconds since the epoch; undefined for entries that never expire. */
  readonly expiresAt?: number;
}

/**
 * oidc-provider's storage for one issuer: a map in memory whose lasting
 * entries (grants, refresh tokens) are also written to a 0600 file in the
 * issuer's directory. The development issuer holds a handful of entries,
 * so lookups scan and every change rewrites the file; writes are chained
 * so two never interleave.
 */
export class IssuerStore {
  readonly #path: string;
  readonly #entries = new Map<string, Entry>();
  #writes: Promise<void> = Promise.resolve();

  private constructor(path: string) {
    this.#path = path;
  }

  /** Opens the store in `dir`, reading what an earlier run kept. */
  static async open(dir: string): Promise<IssuerStore> {
    const store = new IssuerStore(join(dir, storeFile));
    const text = await readIfExists(store.#path);
    const kept = text === undefined ? {} : (JSON.parse(text) as Record<string, Entry>);
    for (const [key, entry] of Object.entries(kept)) store.#entries.set(key, entry);
    return store;
  }

  /** An oidc-provider Adapter for one model (AccessToken, Grant, ...). */
  adapter(model: string): Adapter {
    const key = (id: string): string => `${model}:${id}`;
    const find = (predicate: (payload: AdapterPayload) => boolean): AdapterPayload | undefined => {
      for (const [k, entry] of this.#entries) {
        if (entry.model === model && this.#live(k, entry) && predicate(entry.payload)) return entry.payload;
      }
      return undefined;
    };
    return {
      upsert: async (id, payload, expiresIn) => {
        const expiresAt = expiresIn === undefined ? undefined : Date.now() + expiresIn * 1000;
        this.#entries.set(key(id), { model, payload, ...(expiresAt === undefined ? {} : { expiresAt }) });
        await this.#persist(model);
      },
      find: (id) => {
        const entry = this.#entries.get(key(id));
        return Promise.resolve(entry !== undefined && this.#live(key(id), entry) ? entry.payload : undefined);
      },
      findByUid: (uid) => Promise.resolve(find((payload) => payload.uid === uid)),
      findByUserCode: (userCode) => Promise.resolve(find((payload) => payload.userCode === userCode)),
      consume: async (id) => {
        const entry = this.#entries.get(key(id));
        if (entry === undefined) return;
        this.#entries.set(key(id), { ...entry, payload: { ...entry.payload, consumed: Math.floor(Date.now() / 1000) } });
        await this.#persist(model);
      },
      destroy: async (id) => {
        this.#entries.delete(key(id));
        await this.#persist(model);
      },
      revokeByGrantId: async (grantId) => {
        for (const [k, entry] of this.#entries) if (entry.payload.grantId === grantId) this.#entries.delete(k);
        await this.#persist("Grant");
      },
    };
  }

  #live(key: string, entry: Entry): boolean {
    if (entry.expiresAt === undefined || entry.expiresAt > Date.now()) return true;
    this.#entries.delete(key);
    return false;
  }

  #persist(model: string): Promise<void> {
    if (ephemeral.has(model)) return Promise.resolve();
    const write = async (): Promise<void> => {
      const kept = Object.fromEntries([...this.#entries].filter(([k, entry]) => !ephemeral.has(entry.model) && this.#live(k, entry)));
      await writeFileAtomic(this.#path, `${JSON.stringify(kept)}\n`, 0o600);
    };
    this.#writes = this.#writes.then(write, write);
    return this.#writes;
  }
}
