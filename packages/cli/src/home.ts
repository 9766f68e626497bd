import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository this CLI runs from; `.seedbed/` there is the default state directory. */
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** The platform's state directory: $SEEDBED_HOME, or `.seedbed/` in the repository. */
export function seedbedHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.SEEDBED_HOME ?? join(repoRoot, ".seedbed");
}

/** Where `seedbed up` writes the management API's admin kubeconfig. */
export function managementKubeconfigPath(home: string): string {
  return join(home, "management.kubeconfig");
}
