import type { HttpMethod, KubeConfig } from "@kubernetes/client-node";
import { makeApiClient, ObjectClient, type RequestOptions, type SharedConnection } from "@seedbed/runtime";

/** A shared tally of the requests some clients made. */
export interface RequestCounter {
  requests: number;
}

/**
 * An ObjectClient that counts its requests (watches excepted: they go
 * through client-node's Watch), so that an idle agent can be shown to make
 * none.
 */
export class CountingClient extends ObjectClient {
  counter: RequestCounter = { requests: 0 };

  /** A client for `kc` on `connection`, counting into `counter`. */
  static create(kc: KubeConfig, connection: SharedConnection, counter: RequestCounter): CountingClient {
    const client = makeApiClient(kc, CountingClient, connection);
    client.setDefaultNamespace(kc);
    client.counter = counter;
    return client;
  }

  /** Counts, then makes the request. */
  override request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    this.counter.requests += 1;
    return super.request<T>(method, path, options);
  }
}
