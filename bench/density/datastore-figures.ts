// The figures of `density --datastore shared`: Dedicated and Shared tenants
// measured in one run, put side by side. Pure: the measuring is in
// datastore.ts.
import { flagMap } from "../lib/tenant-processes.ts";
import { summary } from "./measure.ts";

/** The --datastore values this benchmark knows. */
export const datastoreChoices = ["shared"] as const;

/** Parses --datastore: undefined (Dedicated clusters alone, the platform mode) or "shared" (Shared ones beside Dedicated ones). */
export function parseDatastore(value: string | undefined): (typeof datastoreChoices)[number] | undefined {
  if (value === undefined) return undefined;
  if (value === "shared") return value;
  throw new Error(`--datastore: only "shared" is known (--clusters N clusters on the seed's shared etcd beside N with an etcd of their own, in one run), got ${JSON.stringify(value)}; leave it out for Dedicated clusters alone`);
}

/** What was measured of one group of tenants after the idle window, one entry per tenant. */
export interface GroupSample {
  /** PSS of each tenant's own processes, MiB. */
  readonly pss: readonly number[];
  readonly rss: readonly number[];
  /** Idle CPU of each tenant's own processes, % of one core. */
  readonly cpu: readonly number[];
  /** Mean PSS per tenant by component, MiB. */
  readonly pssByComponent: Readonly<Record<string, number>>;
}

/** What was measured of the seed's shared etcd (all its members together). */
export interface SharedEtcdSample {
  readonly members: number;
  /** PSS once it was ready, before any tenant used it, MiB. */
  readonly pssBeforeTenants: number;
  /** PSS and RSS after the idle window, MiB. */
  readonly pss: number;
  readonly rss: number;
  readonly cpu: number;
}

/** The inputs of datastoreFigures. */
export interface DatastoreSamples {
  /** MemAvailable once the platform was up, before the shared etcd and any tenant, MiB. */
  readonly memAvailableMiBAtStart: number;
  /** Memory left free for the machine itself (--reserve-mib, as --find-max keeps). */
  readonly reserveMiB: number;
  readonly dedicated: GroupSample;
  readonly shared: GroupSample;
  readonly sharedEtcd: SharedEtcdSample;
}

/** How tenantsPerMachineByMemory is estimated, printed with the figures. */
export const tenantsPerMachineFormula =
  "dedicated: (memAvailableMiBAtStart - reserveMiB) / pssMiBPerTenant.mean; shared: (memAvailableMiBAtStart - reserveMiB - sharedEtcd.pssMiBBeforeTenants) / marginalPssMiBPerTenant, the shared etcd's growth split evenly among its tenants; memory only (CPU and ports not counted)";

type Summary = ReturnType<typeof summary>;

/** One group's figures; a Shared tenant's include its share of the shared etcd. */
interface GroupFigures {
  readonly tenants: number;
  readonly pssMiBPerTenant: Summary;
  readonly rssMiBPerTenant: Summary;
  readonly pssMiBByComponent: Readonly<Record<string, number>>;
  readonly idleCpuPercentPerTenant: Summary;
  readonly tenantsPerMachineByMemory: number;
}

/** The figures `density --datastore shared` prints. */
export interface DatastoreFigures {
  readonly memAvailableMiBAtStart: number;
  readonly reserveMiB: number;
  readonly tenantsPerMachineFormula: string;
  readonly dedicated: GroupFigures;
  readonly shared: GroupFigures & {
    /** Its own processes only (kube-apiserver, kube-controller-manager, kube-scheduler). */
    readonly ownPssMiBPerTenant: Summary;
    /** Its own processes and the shared etcd's growth per tenant: what one more Shared tenant costs. */
    readonly marginalPssMiBPerTenant: number;
    readonly sharedEtcd: { readonly members: number; readonly pssMiB: number; readonly rssMiB: number; readonly pssMiBBeforeTenants: number; readonly idleCpuPercent: number };
  };
  /** Shared over Dedicated (null when a Dedicated figure is 0). */
  readonly ratio: { readonly pssPerTenantSharedToDedicated: number | null; readonly tenantsPerMachineSharedToDedicated: number | null };
}

const round = (x: number): number => Math.round(x * 10) / 10;
const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const fit = (memory: number, perTenant: number): number => (perTenant > 0 ? Math.max(0, Math.floor(memory / perTenant)) : 0);

/**
 * Dedicated and Shared side by side. A Shared tenant's memory and CPU are
 * its own processes plus its share of the shared etcd (the etcd's total over
 * the Shared tenants); how many fit is estimated from the marginal cost
 * (its own processes and the etcd's growth per tenant), since the etcd's
 * memory before any tenant is paid once per seed.
 */
export function datastoreFigures(s: DatastoreSamples): DatastoreFigures {
  const n = s.shared.pss.length;
  const share = (total: number): number => (n === 0 ? 0 : total / n);
  const free = s.memAvailableMiBAtStart - s.reserveMiB;
  const dedicatedPss = summary(s.dedicated.pss);
  const sharedPss = summary(s.shared.pss.map((x) => x + share(s.sharedEtcd.pss)));
  const marginal = mean(s.shared.pss) + Math.max(0, share(s.sharedEtcd.pss - s.sharedEtcd.pssBeforeTenants));
  const dedicatedFit = fit(free, mean(s.dedicated.pss));
  const sharedFit = fit(free - s.sharedEtcd.pssBeforeTenants, marginal);
  return {
    memAvailableMiBAtStart: Math.round(s.memAvailableMiBAtStart),
    reserveMiB: s.reserveMiB,
    tenantsPerMachineFormula,
    dedicated: {
      tenants: s.dedicated.pss.length,
      pssMiBPerTenant: dedicatedPss,
      rssMiBPerTenant: summary(s.dedicated.rss),
      pssMiBByComponent: s.dedicated.pssByComponent,
      idleCpuPercentPerTenant: summary(s.dedicated.cpu),
      tenantsPerMachineByMemory: dedicatedFit,
    },
    shared: {
      tenants: n,
      pssMiBPerTenant: sharedPss,
      rssMiBPerTenant: summary(s.shared.rss.map((x) => x + share(s.sharedEtcd.rss))),
      ownPssMiBPerTenant: summary(s.shared.pss),
      pssMiBByComponent: { ...s.shared.pssByComponent, "shared-etcd (share)": round(share(s.sharedEtcd.pss)) },
      idleCpuPercentPerTenant: summary(s.shared.cpu.map((x) => x + share(s.sharedEtcd.cpu))),
      marginalPssMiBPerTenant: round(marginal),
      tenantsPerMachineByMemory: sharedFit,
      sharedEtcd: { members: s.sharedEtcd.members, pssMiB: round(s.sharedEtcd.pss), rssMiB: round(s.sharedEtcd.rss), pssMiBBeforeTenants: round(s.sharedEtcd.pssBeforeTenants), idleCpuPercent: round(s.sharedEtcd.cpu) },
    },
    ratio: {
      pssPerTenantSharedToDedicated: dedicatedPss.mean > 0 ? Math.round((sharedPss.mean / dedicatedPss.mean) * 100) / 100 : null,
      tenantsPerMachineSharedToDedicated: dedicatedFit > 0 ? Math.round((sharedFit / dedicatedFit) * 100) / 100 : null,
    },
  };
}

/**
 * Flags a Shared tenant's kube-apiserver runs with other than a Dedicated
 * one's, leaving out the --etcd-* flags (where the data is: the difference
 * itself) and values naming the instance's files or ports.
 */
export function flagsDiffer(shared: readonly string[], dedicated: readonly string[]): string[] {
  const a = flagMap(shared);
  const b = flagMap(dedicated);
  const instanceSpecific = (value: string | undefined): boolean => value !== undefined && (value.includes("/") || value.includes("127.0.0.1:") || /^\d+$/.test(value));
  return [...new Set([...a.keys(), ...b.keys()])]
    .filter((flag) => !flag.startsWith("etcd-") && a.get(flag) !== b.get(flag) && !(instanceSpecific(a.get(flag)) && instanceSpecific(b.get(flag))))
    .sort()
    .map((flag) => `--${flag}: shared ${a.get(flag) ?? "(absent)"}, dedicated ${b.get(flag) ?? "(absent)"}`);
}
