import type { DashboardConfig } from "./types.ts";

/** Where the REST server publishes the dashboard's settings (no token needed). */
export const configPath = "/dashboard/config.json";

/** Reads /dashboard/config.json, saying in words what went wrong. */
export async function fetchDashboardConfig(fetchImpl: typeof fetch = (input, init) => fetch(input, init)): Promise<DashboardConfig> {
  let response: Response;
  try {
    response = await fetchImpl(configPath, { headers: { accept: "application/json" } });
  } catch {
    throw new Error("The Seedbed server cannot be reached, so the dashboard cannot load its settings. Check that the server is running, then reload.");
  }
  if (!response.ok) throw new Error(`The dashboard's settings (${configPath}) could not be loaded: the server answered ${response.status}.`);
  const config = (await response.json()) as Partial<DashboardConfig>;
  if (typeof config.issuerURL !== "string" || typeof config.clientID !== "string") throw new Error(`The dashboard's settings (${configPath}) name no OIDC issuer or client.`);
  return { issuerURL: config.issuerURL, clientID: config.clientID, scopes: config.scopes ?? "openid email profile groups offline_access", versions: config.versions ?? [] };
}
