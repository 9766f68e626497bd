import { useState, type ReactNode } from "react";
import { useDocumentTitle } from "../ui/useDocumentTitle.ts";

/**
 * The page of someone not signed in: never redirects by itself (a reload
 * loses the in-memory tokens, and an automatic redirect could loop), but
 * waits for "Sign in". notice: e.g. "You are signed out."; error: why the
 * last sign-in failed, in words.
 */
export function SignInPage(props: { notice?: string | undefined; error?: string | undefined; onSignIn?: () => Promise<void> }): ReactNode {
  useDocumentTitle("Sign in");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const error = failure ?? props.error;
  const { onSignIn } = props;

  async function signIn(): Promise<void> {
    if (onSignIn === undefined) return;
    setBusy(true);
    setFailure(undefined);
    try {
      await onSignIn();
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  }

  return (
    <main id="main" className="sign-in" tabIndex={-1}>
      <div className="sign-in-card">
        <h1>Seedbed</h1>
        <p className="sign-in-lead">Kubernetes clusters for your team: the fleet at a glance.</p>
        {props.notice === undefined ? null : <p className="notice" role="status">{props.notice}</p>}
        {error === undefined ? null : <div className="error-message" role="alert">{error}</div>}
        {onSignIn === undefined ? null : (
          <button type="button" className="button button-primary" onClick={() => void signIn()} disabled={busy} aria-busy={busy}>
            Sign in
          </button>
        )}
        {busy ? <p className="progress" role="status"><span className="spinner" aria-hidden="true" />Going to the sign-in service…</p> : null}
      </div>
    </main>
  );
}
