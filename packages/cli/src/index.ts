export { up, type UpOptions } from "./commands/up.ts";
export { managementKubeconfigPath, seedbedHome } from "./home.ts";
