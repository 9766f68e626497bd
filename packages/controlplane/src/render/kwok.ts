import { flags, type ProcessSpec } from "./process-spec.ts";

/** The annotation that marks a Node as simulated by kwok; kwok leaves every other Node alone. */
export const kwokNodeAnnotation = "kwok.x-k8s.io/node";

/** What a kwok controller needs. */
export interface KwokRenderInput {
  readonly binary: string;
  readonly kubeconfigFile: string;
  /** Port of kwok's own HTTP server (health and metrics). */
  readonly serverPort: number;
  /** Where kwok may write its working files. */
  readonly workDir: string;
  /** A file holding kwokStages (see kwok-stages.ts). */
  readonly stagesFile: string;
}

/**
 * Renders kwok so that it keeps the Nodes annotated `kwok.x-k8s.io/node=fake`
 * Ready and runs the pods scheduled onto them.
 */
export function renderKwok(input: KwokRenderInput): ProcessSpec {
  return {
    name: "kwok",
    command: input.binary,
    args: flags({
      kubeconfig: input.kubeconfigFile,
      config: input.stagesFile,
      "manage-all-nodes": false,
      "manage-nodes-with-annotation-selector": `${kwokNodeAnnotation}=fake`,
      "server-address": `127.0.0.1:${input.serverPort}`,
      "node-lease-duration-seconds": 40,
    }),
    env: { KWOK_WORKDIR: input.workDir, HOME: input.workDir },
  };
}
