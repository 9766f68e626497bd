// Sign-in for the dashboard: OIDC authorization code + PKCE, tokens in memory.
export { AuthProvider } from "./AuthProvider.tsx";
export { useAuth, useDashboardConfig, type Auth } from "./context.ts";
