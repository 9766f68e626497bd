import { FakeClock } from "@seedbed/runtime";
import { afterEach, beforeEach, expect } from "vitest";
import type { MachineRequest, PoolRef } from "../../provider.ts";
import type { OpenStackCredentials } from "../credentials.ts";
import { OpenStackProvider } from "../provider.ts";
import type { OpenStackSettings } from "../resolve.ts";
import { FakeOpenStack } from "./cloud.ts";

/** Test support: a fake cloud with one flavor, image and network, and a provider pointed at it. */
export interface Fixture {
  readonly fake: FakeOpenStack;
  readonly clock: FakeClock;
  readonly credentials: OpenStackCredentials;
  readonly settings: OpenStackSettings;
  provider(settings?: Partial<OpenStackSettings>): OpenStackProvider;
}

export const ids = {
  flavor: "3",
  image: "5b1d9e3e-7a8c-4f2b-9d1e-2c3a4b5c6d7e",
  network: "0f6e2a4c-1b3d-4e5f-8a9b-c0d1e2f3a4b5",
} as const;

export const pool: PoolRef = { namespace: "project-acme", name: "workers", clusterId: "acme-prod" };

/** A machine request of `pool` (or another). */
export function request(name: string, of: PoolRef = pool): MachineRequest {
  return {
    name,
    pool: of,
    template: { cpu: "2", memory: "4Gi", pods: 110 },
    kubernetesVersion: "1.31.2",
    userData: `#cloud-config\n# joins ${name}\nruncmd: [[systemctl, start, kubelet]]\n`,
  };
}

/** Starts the fake cloud; the caller stops it. */
export async function fixture(): Promise<Fixture> {
  const clock = new FakeClock();
  const account = { username: "seedbed", password: "s3cret", projectName: "k8s", userDomainName: "Default", projectDomainName: "Default" };
  const fake = await FakeOpenStack.start(account, clock);
  fake.nova.flavors.push({ id: "1", name: "m1.small", vcpus: 1, ram: 2048 }, { id: ids.flavor, name: "m1.medium", vcpus: 2, ram: 4096 });
  fake.images.push({ id: ids.image, name: "ubuntu-24.04-k8s", status: "active" });
  fake.nova.imageIds.add(ids.image);
  fake.networks.push({ id: ids.network, name: "private" });
  fake.nova.networkIds.add(ids.network);
  const credentials: OpenStackCredentials = { ...account, authURL: fake.authURL, region: "RegionOne" };
  const settings: OpenStackSettings = { flavor: "m1.medium", image: "ubuntu-24.04-k8s", network: "private", availabilityZone: "az1", securityGroups: ["k8s-nodes"] };
  return {
    fake,
    clock,
    credentials,
    settings,
    provider: (overrides = {}) => new OpenStackProvider({ ...settings, ...overrides }, credentials, { clock, requestTimeoutMs: 5_000 }),
  };
}

/**
 * A fresh fixture for each test of the calling suite, stopped after it;
 * every request the provider made must have passed the fake's API checks.
 */
export function useFixture(): () => Fixture {
  let current: Fixture | undefined;
  beforeEach(async () => {
    current = await fixture();
  });
  afterEach(async () => {
    expect(current?.fake.violations).toEqual([]);
    await current?.fake.stop();
  });
  return () => {
    if (!current) throw new Error("useFixture's fixture is only there inside a test");
    return current;
  };
}
