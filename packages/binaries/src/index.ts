export { binDir, binaryPath, binaryVersion, type BinaryName } from "./paths.ts";
export { defaultKubernetesVersion, minorNumberOf, minorOf, offeredKubernetesVersions, pinnedKubernetesVersion, versions, versionsFile, type Versions } from "./versions.ts";
