import { AuthenticationV1Api } from "@kubernetes/client-node";
import { managementKubeConfig, type GlobalOptions } from "../context.ts";
import { explain } from "../errors.ts";

/** Prints the user name and groups the management API authenticates the caller as (a SelfSubjectReview). */
export async function whoamiCommand(options: GlobalOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const kubeConfig = managementKubeConfig(options);
  const review = await kubeConfig
    .makeApiClient(AuthenticationV1Api)
    .createSelfSubjectReview({ body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" } })
    .catch((error: unknown) => {
      throw explain(error, { kind: "user", server: kubeConfig.getCurrentCluster()?.server });
    });
  const user = review.status?.userInfo;
  out.write(`${user?.username ?? "(unknown)"}\ngroups: ${(user?.groups ?? []).join(", ")}\n`);
}
