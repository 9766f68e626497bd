import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binaryPath, defaultKubernetesVersion } from "@seedbed/binaries";
import { run, type RunResult } from "@seedbed/testing";

// The chart tests run commands through the harness's `run`.
export { run, type RunResult };

/** The chart under test. */
export const chartDir: string = new URL("../../deploy/helm/seedbed", import.meta.url).pathname;

/** The pinned helm with homes of its own, so tests neither read nor write ~/.config/helm or ~/.cache/helm. */
export interface Helm {
  /** Runs `helm <args>`. */
  run(...args: string[]): Promise<RunResult>;
  /** `helm template` of the chart as release `seedbed` in `seedbed-system`, with extra flags such as `--set`. */
  template(...flags: string[]): Promise<string>;
  /** Removes the helm homes. */
  dispose(): void;
}

/** The release and namespace the tests install and render as. */
export const release = { name: "seedbed", namespace: "seedbed-system" } as const;

/** A Helm with isolated homes; `--kube-version` of offline commands is the pinned Kubernetes. */
export function createHelm(): Helm {
  const home = mkdtempSync(join(tmpdir(), "seedbed-helm-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_DATA_HOME: join(home, "data"),
  };
  const helm = binaryPath("helm");
  const runHelm = (...args: string[]): Promise<RunResult> => run(helm, args, env);
  return {
    run: runHelm,
    async template(...flags) {
      const args = ["template", release.name, chartDir, "--namespace", release.namespace, "--kube-version", defaultKubernetesVersion, ...flags];
      const result = await runHelm(...args);
      if (result.status !== 0) throw new Error(`helm ${args.join(" ")} failed (${result.status}):\n${result.stderr}`);
      return result.stdout;
    },
    dispose() {
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** One `kubectl auth can-i` question: a verb on a resource (optionally a subresource) in a namespace or across all. */
export interface AccessQuestion {
  readonly verb: string;
  /** As kubectl names it: `clusters.seedbed.dev`, `secrets`, `leases.coordination.k8s.io`. */
  readonly resource: string;
  readonly subresource?: string;
  /** Absent: across all namespaces (`-A`). */
  readonly namespace?: string;
}

/** The question as one readable line, e.g. "patch clusters.seedbed.dev/status in project-demo". */
export function describeQuestion(q: AccessQuestion): string {
  return `${q.verb} ${q.resource}${q.subresource ? `/${q.subresource}` : ""} ${q.namespace ? `in ${q.namespace}` : "in all namespaces"}`;
}

/** Asks the API server, through the pinned kubectl and impersonation, whether `user` may do each thing; answers "yes" or "no". */
export async function canI(kubeconfigPath: string, user: string, questions: readonly AccessQuestion[]): Promise<Map<string, "yes" | "no">> {
  const kubectl = binaryPath("kubectl");
  const answers = new Map<string, "yes" | "no">();
  // A few at a time: each kubectl is a process start, and the machine has two cores.
  const parallel = 4;
  for (let i = 0; i < questions.length; i += parallel) {
    await Promise.all(
      questions.slice(i, i + parallel).map(async (q) => {
        const args = ["--kubeconfig", kubeconfigPath, "auth", "can-i", q.verb, q.resource, `--as=${user}`];
        if (q.subresource) args.push(`--subresource=${q.subresource}`);
        args.push(...(q.namespace ? ["--namespace", q.namespace] : ["--all-namespaces"]));
        const result = await run(kubectl, args);
        const answer = result.stdout.trim();
        // Exit status 0 is yes, 1 is no; anything else is a failure to ask.
        if ((answer !== "yes" && answer !== "no") || result.status === null || result.status > 1) {
          throw new Error(`kubectl ${args.join(" ")} answered neither yes nor no (${result.status}): ${result.stdout}${result.stderr}`);
        }
        answers.set(describeQuestion(q), answer);
      }),
    );
  }
  return answers;
}
