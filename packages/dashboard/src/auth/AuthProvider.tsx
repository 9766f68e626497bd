import { useQueryClient } from "@tanstack/react-query";
import type { Configuration } from "openid-client";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { ApiProvider, createApi, type Api } from "../api/client.ts";
import { fetchDashboardConfig } from "../api/config.ts";
import type { DashboardConfig } from "../api/types.ts";
import { Progress } from "../ui/Progress.tsx";
import { AuthContext, ConfigContext, type Auth } from "./context.ts";
import { authorizationRequest, discover, finishLogin, refresh, revoke, type Session } from "./oidc.ts";
import { markResumable, markSignedOut, savePendingLogin, takePendingLogin, takeResume, wasSignedOut } from "./pending.ts";
import { SignInPage } from "./SignInPage.tsx";
import { needsRefresh, refreshDelayMs, timerDelay } from "./token-timing.ts";

/** Sends the browser to the issuer, keeping the checks for /callback and the page to come back to. */
async function startSignIn(issuer: Configuration, config: DashboardConfig): Promise<void> {
  const { url, pending } = await authorizationRequest(issuer, {
    scopes: config.scopes,
    returnTo: `${location.pathname}${location.search}`,
    forceLogin: wasSignedOut(),
  });
  savePendingLogin(pending);
  location.assign(url.href);
}

type State =
  | { kind: "starting" }
  | { kind: "broken"; message: string }
  | { kind: "signedOut"; notice?: string; error?: string }
  | { kind: "signedIn"; session: Session };

/**
 * Signs the user in with the platform's OIDC issuer (authorization code +
 * PKCE) and renders its children only while someone is signed in, with
 * the API client and useAuth() available. Tokens live in this component's
 * memory; the ID token is refreshed a minute before it expires.
 */
export function AuthProvider(props: { children: ReactNode }): ReactNode {
  const queryClient = useQueryClient();
  const [config, setConfig] = useState<DashboardConfig | undefined>(undefined);
  const [state, setState] = useState<State>({ kind: "starting" });
  const session = useRef<Session | undefined>(undefined);
  const issuer = useRef<Promise<Configuration> | undefined>(undefined);
  const refreshing = useRef<Promise<Session> | undefined>(undefined);
  const callback = useRef<Promise<void> | undefined>(undefined);

  const discovered = useCallback((dashboard: DashboardConfig): Promise<Configuration> => {
    issuer.current ??= discover(dashboard).catch((error: unknown) => {
      issuer.current = undefined; // try again on the next sign-in
      throw error;
    });
    return issuer.current;
  }, []);

  const signedIn = useCallback((next: Session) => {
    session.current = next;
    setState({ kind: "signedIn", session: next });
  }, []);

  const signedOut = useCallback((next: { notice?: string; error?: string }) => {
    session.current = undefined;
    refreshing.current = undefined;
    queryClient.clear();
    setState({ kind: "signedOut", ...next });
  }, [queryClient]);

  // Start: load the settings, then finish a login coming back on /callback.
  useEffect(() => {
    if (callback.current !== undefined) return; // React's development double effect
    callback.current = (async () => {
      let dashboard: DashboardConfig;
      try {
        dashboard = await fetchDashboardConfig();
      } catch (error) {
        setState({ kind: "broken", message: error instanceof Error ? error.message : String(error) });
        return;
      }
      setConfig(dashboard);
      if (location.pathname !== "/callback") {
        // A reload of a signed-in tab: straight back through the issuer's session (one attempt).
        if (takeResume() && !wasSignedOut()) {
          await startSignIn(await discovered(dashboard), dashboard).catch((error: unknown) => {
            setState({ kind: "signedOut", error: error instanceof Error ? error.message : String(error) });
          });
          return;
        }
        setState({ kind: "signedOut" });
        return;
      }
      const pending = takePendingLogin();
      const url = new URL(location.href);
      history.replaceState(null, "", pending?.returnTo ?? "/");
      if (pending === undefined) {
        setState({ kind: "signedOut", ...(url.searchParams.has("error") ? { error: `The sign-in service refused the sign-in: ${url.searchParams.get("error") ?? ""}.` } : {}) });
        return;
      }
      try {
        const next = await finishLogin(await discovered(dashboard), url, pending);
        markSignedOut(false);
        markResumable(true);
        signedIn(next);
      } catch (error) {
        setState({ kind: "signedOut", error: error instanceof Error ? error.message : String(error) });
      }
    })();
  }, [discovered, signedIn]);

  const renew = useCallback((): Promise<Session> => {
    const current = session.current;
    if (current === undefined || config === undefined) return Promise.reject(new Error("not signed in"));
    refreshing.current ??= (async () => {
      try {
        const next = await refresh(await discovered(config), current);
        signedIn(next);
        return next;
      } catch (error) {
        signedOut({ error: `Your sign-in has ended: ${error instanceof Error ? error.message : String(error)}. Sign in again.` });
        throw error;
      } finally {
        refreshing.current = undefined;
      }
    })();
    return refreshing.current;
  }, [config, discovered, signedIn, signedOut]);

  // Refresh a minute before the ID token's exp.
  const expiresAt = state.kind === "signedIn" ? state.session.expiresAt : undefined;
  useEffect(() => {
    if (expiresAt === undefined || session.current?.refreshToken === undefined) return;
    const timer = setTimeout(() => void renew().catch(() => undefined), timerDelay(refreshDelayMs(expiresAt, Date.now())));
    return () => clearTimeout(timer);
  }, [expiresAt, renew]);

  const api: Api = useMemo(() => createApi({
    token: async () => {
      const current = session.current;
      if (current === undefined) throw new Error("You are not signed in.");
      // A timer in a background tab may have fired late: refresh before use.
      if (current.refreshToken !== undefined && needsRefresh(current.expiresAt, Date.now())) return (await renew()).idToken;
      return current.idToken;
    },
    unauthorized: (message) => signedOut({ error: `The API no longer accepts your sign-in (${message}). Sign in again.` }),
  }), [renew, signedOut]);

  const signIn = useCallback(async (): Promise<void> => {
    if (config === undefined) return;
    await startSignIn(await discovered(config), config);
  }, [config, discovered]);

  const signOut = useCallback(async (): Promise<void> => {
    const current = session.current;
    markSignedOut(true);
    markResumable(false);
    if (current !== undefined && config !== undefined) {
      await discovered(config).then((c) => revoke(c, current), () => undefined);
    }
    signedOut({ notice: "You are signed out." });
  }, [config, discovered, signedOut]);

  const user = state.kind === "signedIn" ? state.session.user : undefined;
  const auth: Auth | undefined = useMemo(() => (user === undefined ? undefined : { user, signOut }), [user, signOut]);

  if (state.kind === "starting") return <main id="main" className="sign-in"><Progress label="Starting the dashboard…" /></main>;
  if (state.kind === "broken") return <SignInPage error={state.message} />;
  if (state.kind === "signedOut" || auth === undefined || config === undefined) {
    const notice = state.kind === "signedOut" ? state.notice : undefined;
    const error = state.kind === "signedOut" ? state.error : undefined;
    return <ConfigContext.Provider value={config}><SignInPage notice={notice} error={error} onSignIn={signIn} /></ConfigContext.Provider>;
  }
  return (
    <ConfigContext.Provider value={config}>
      <AuthContext.Provider value={auth}>
        <ApiProvider api={api}>{props.children}</ApiProvider>
      </AuthContext.Provider>
    </ConfigContext.Provider>
  );
}
