import { createContext, useContext } from "react";
import type { DashboardConfig } from "../api/types.ts";

/** The signed-in user and how to sign out. */
export interface Auth {
  user: { email: string; name?: string };
  signOut: () => Promise<void>;
}

/** Holds the signed-in user; provided by AuthProvider only while someone is signed in. */
export const AuthContext = createContext<Auth | undefined>(undefined);

/** Holds /dashboard/config.json once loaded. */
export const ConfigContext = createContext<DashboardConfig | undefined>(undefined);

/** The signed-in user and sign-out. */
export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (auth === undefined) throw new Error("useAuth needs an AuthProvider with a signed-in user");
  return auth;
}

/** The dashboard's settings: the issuer, and the supported Kubernetes versions (newest first). */
export function useDashboardConfig(): DashboardConfig {
  const config = useContext(ConfigContext);
  if (config === undefined) throw new Error("useDashboardConfig needs an AuthProvider");
  return config;
}
