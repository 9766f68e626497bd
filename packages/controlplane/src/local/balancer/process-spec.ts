import { fileURLToPath } from "node:url";
import type { ProcessSpec } from "../../render/process-spec.ts";

/** The balancer's entry point, run by plain node. */
export const balancerScript = fileURLToPath(new URL("./main.ts", import.meta.url));

/** The component name of the balancer process (its log file and supervisor marker). */
export const balancerComponentName = "seedbed-balancer";

/**
 * The balancer as a process for a SupervisingLauncher: one for the whole
 * platform, serving every route in `routesDir`. `node` defaults to the
 * node running this code.
 */
export function balancerProcessSpec(routesDir: string, node: string = process.execPath): ProcessSpec {
  return { name: balancerComponentName, command: node, args: [balancerScript, routesDir] };
}
