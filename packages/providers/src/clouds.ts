import type { Clock } from "@seedbed/runtime";
import { parseAwsCredentials } from "./aws/credentials.ts";
import { AwsProvider, type AwsSettings } from "./aws/provider.ts";
import { parseOpenStackCredentials } from "./openstack/credentials.ts";
import { OpenStackProvider } from "./openstack/provider.ts";
import type { OpenStackSettings } from "./openstack/resolve.ts";
import type { MachineProvider } from "./provider.ts";

/** The cloud settings of a NodePool (its spec.provider can be passed as is). */
export interface CloudSettings {
  readonly openstack?: OpenStackSettings;
  readonly aws?: AwsSettings;
}

/** Knobs for tests and tuning; each provider takes the ones that apply to it. */
export interface CloudProviderOptions {
  /** OpenStack: the clock that decides when a Keystone token is renewed. */
  readonly clock?: Clock;
  /** OpenStack: the fetch used for every request. */
  readonly fetch?: typeof globalThis.fetch;
  /** AWS: attempts per call, retries included. */
  readonly maxAttempts?: number;
  /** Both: per request, 30 s by default. */
  readonly requestTimeoutMs?: number;
}

/**
 * The provider of a cloud NodePool, from its spec.provider and the text of
 * its credentials Secret key. Throws when the settings of `type` are
 * missing or the credentials do not parse, with a message meant for the
 * NodePool's status.
 */
export function cloudProvider(
  type: "openstack" | "aws",
  settings: CloudSettings,
  credentialsText: string,
  options: CloudProviderOptions = {},
): MachineProvider {
  switch (type) {
    case "openstack": {
      if (settings.openstack === undefined) throw new Error("an openstack node pool needs provider.openstack (flavor, image, network)");
      return new OpenStackProvider(settings.openstack, parseOpenStackCredentials(credentialsText), options);
    }
    case "aws": {
      if (settings.aws === undefined) throw new Error("an aws node pool needs provider.aws (region, instanceType, ami, subnetID)");
      return new AwsProvider(settings.aws, parseAwsCredentials(credentialsText), options);
    }
  }
}
