// The PKCE verifier, state and nonce of a login under way live in
// sessionStorage only across the issuer's redirect, and are removed as soon
// as the callback reads them. Tokens never go there.

const pendingKey = "seedbed.login";
const signedOutKey = "seedbed.signedOut";

/** What the callback needs to check and finish a login. */
export interface PendingLogin {
  codeVerifier: string;
  state: string;
  nonce: string;
  /** The dashboard path to return to after signing in. */
  returnTo: string;
}

/** Keeps a login's checks for the callback. */
export function savePendingLogin(pending: PendingLogin, storage: Storage = sessionStorage): void {
  storage.setItem(pendingKey, JSON.stringify(pending));
}

/** Reads and removes the checks of the login under way, if any. */
export function takePendingLogin(storage: Storage = sessionStorage): PendingLogin | undefined {
  const raw = storage.getItem(pendingKey);
  storage.removeItem(pendingKey);
  if (raw === null) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<PendingLogin>;
    if (typeof value.codeVerifier !== "string" || typeof value.state !== "string" || typeof value.nonce !== "string") return undefined;
    return { codeVerifier: value.codeVerifier, state: value.state, nonce: value.nonce, returnTo: safeReturnPath(value.returnTo) };
  } catch {
    return undefined;
  }
}

/** Only a path on this origin is a place to return to. */
export function safeReturnPath(path: unknown): string {
  if (typeof path !== "string" || !path.startsWith("/") || path.startsWith("//") || path.startsWith("/callback")) return "/";
  return path;
}

/**
 * Remembers that the user signed out in this tab, so the next sign-in asks
 * the issuer for the login form (prompt=login) even after a reload, instead
 * of the issuer's session signing them straight back in.
 */
export function markSignedOut(signedOut: boolean, storage: Storage = sessionStorage): void {
  if (signedOut) storage.setItem(signedOutKey, "1");
  else storage.removeItem(signedOutKey);
}

/** Whether the user signed out in this tab and has not signed in since. */
export function wasSignedOut(storage: Storage = sessionStorage): boolean {
  return storage.getItem(signedOutKey) === "1";
}

const resumeKey = "seedbed.resume";

/**
 * Remembers that this tab was signed in (no token: a flag), so a reload,
 * which keeps no token, signs in again by itself through the issuer's
 * session instead of showing the button. Set on each sign-in; cleared on
 * sign-out and by the attempt itself, so a failed attempt never loops.
 */
export function markResumable(resumable: boolean, storage: Storage = sessionStorage): void {
  if (resumable) storage.setItem(resumeKey, "1");
  else storage.removeItem(resumeKey);
}

/** Whether to sign in again by itself now; true at most once per sign-in. */
export function takeResume(storage: Storage = sessionStorage): boolean {
  const resume = storage.getItem(resumeKey) === "1";
  storage.removeItem(resumeKey);
  return resume;
}
