export { HelmRunner, type HelmRunnerOptions } from "./runner.ts";
export { HelmError, type HelmCommand } from "./errors.ts";
export type { HelmReleaseInfo } from "./release.ts";
export { valuesDigest } from "./values.ts";
