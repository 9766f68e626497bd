/** What decides where local tenants listen for machines. */
export interface UpNodeAddressInput {
  /** False with --no-node-address. */
  readonly enabled: boolean;
  /** Real machines (network namespaces, containerd, kubelets) need root; without it none can join, so nothing is opened. */
  readonly root: boolean;
  /** This machine's address that machines reach (machineAddress() of @seedbed/node); may throw when it has none. */
  readonly find: () => string;
}

/** The node address for the local driver, or none, with a line for the user saying which and why. */
export interface UpNodeAddress {
  readonly address?: string;
  readonly note?: string;
}

/**
 * Where `seedbed up` lets local tenants' API servers listen for local
 * machines: this machine's address when running as root (real machines
 * need root anyway) unless turned off; none otherwise. A machine without a
 * usable address is no reason to refuse to start: the platform runs, its
 * tenants just cannot take local machines, and the note says why.
 */
export function upNodeAddress(input: UpNodeAddressInput): UpNodeAddress {
  if (!input.enabled || !input.root) return {};
  try {
    const address = input.find();
    return { address, note: `Local tenants' API servers also listen on ${address}, so that local machines can join them (they still require authentication; --no-node-address turns this off).\n` };
  } catch (error) {
    return { note: `Local machines cannot join tenants: ${(error as Error).message}\n` };
  }
}
