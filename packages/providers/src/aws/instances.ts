import { createHash } from "node:crypto";
import type { Instance, Tag } from "@aws-sdk/client-ec2";
import { machineLabels, type Machine, type PoolRef } from "../provider.ts";

/** The tags every instance of `pool` carries; Name makes the console show the machine name. */
export function instanceTags(pool: PoolRef, machineName: string): Tag[] {
  return [
    { Key: "Name", Value: machineName },
    { Key: machineLabels.clusterId, Value: pool.clusterId },
    { Key: machineLabels.pool, Value: pool.name },
  ];
}

/**
 * RunInstances' idempotency token: the same for every retry of one
 * machine, different for every machine of every cluster. EC2 answers a
 * repeated token with the instance it launched the first time, so a create
 * whose reply was lost (timeout, crash) never launches a second instance,
 * even while DescribeInstances does not show the first one yet. A sha256 in
 * hex is exactly the 64 ASCII characters EC2 allows.
 */
export function clientToken(pool: PoolRef, machineName: string): string {
  return createHash("sha256").update(`seedbed/${pool.clusterId}/${machineName}`).digest("hex");
}

/** The tag `key` of an instance. */
export function tagOf(instance: Instance, key: string): string | undefined {
  return instance.Tags?.find((t) => t.Key === key)?.Value;
}

/** Whether the instance carries both tags of `pool`. */
export function inPool(instance: Instance, pool: PoolRef): boolean {
  return tagOf(instance, machineLabels.clusterId) === pool.clusterId && tagOf(instance, machineLabels.pool) === pool.name;
}

/** The instance ID in a providerID aws:///<zone>/<id>, or undefined if it is not one. */
export function instanceIdOf(providerID: string): string | undefined {
  const match = /^aws:\/\/\/[^/]*\/(i-[0-9a-f]+)$/.exec(providerID);
  return match?.[1];
}

/**
 * The EC2 state as a machine phase; undefined for terminated instances,
 * which EC2 keeps listing for about an hour but which are gone for us.
 * stopping/stopped are Failed rather than Deleting: nothing will remove a
 * stopped instance by itself (it still holds its volume), so the
 * reconciler must see it as broken and replace it.
 */
export function phaseOf(state: string | undefined): Machine["phase"] | undefined {
  switch (state) {
    case "pending":
      return "Pending";
    case "running":
      return "Running";
    case "shutting-down":
      return "Deleting";
    case "terminated":
      return undefined;
    default:
      return "Failed";
  }
}

/** An instance as a Machine, or undefined when it is terminated. */
export function toMachine(instance: Instance): Machine | undefined {
  const phase = phaseOf(instance.State?.Name);
  const id = instance.InstanceId;
  if (phase === undefined || id === undefined) return undefined;
  const zone = instance.Placement?.AvailabilityZone ?? "";
  const privateDns = instance.PrivateDnsName ?? "";
  return {
    name: tagOf(instance, "Name") ?? id,
    // The form the AWS cloud provider and the kubelet's --provider-id use.
    providerID: `aws:///${zone}/${id}`,
    // Without a resource-name hostname the kubelet registers as the private DNS name (ip-10-0-0-1.ec2.internal).
    nodeName: privateDns === "" ? id : privateDns,
    phase,
    createdAt: (instance.LaunchTime ?? new Date(0)).toISOString(),
  };
}
