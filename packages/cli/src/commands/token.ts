import { execCredential, TokenStore, type TokenSet } from "@seedbed/identity/token";
import { CliError, ExitCode, loginHint } from "../cli-error.ts";
import { keepClusterCACurrent } from "../cluster-ca/check.ts";
import type { TokenTarget } from "../cluster-ca/target.ts";
import { credentialsDir, currentLogin, tokensPath } from "../credentials.ts";

/**
 * The kubectl exec credential plugin: prints an ExecCredential with a valid
 * ID token, refreshing (and saving) it when it expires within a minute.
 * kubectl runs it before its requests, so it loads next to nothing: no
 * Kubernetes client, and the OIDC client only for a refresh.
 *
 * With a target (the kubeconfigs of `seedbed kubeconfig`), it then keeps
 * that cluster's CA file current through a CA rotation: at most once a
 * minute it reads the cluster's status.certificateAuthority (2 s at most)
 * and rewrites the file when it differs. client-go has read the CA file
 * already when it runs this plugin (it builds its transport first), so a
 * refreshed file serves the next kubectl run. That part is best effort:
 * an API that cannot be reached or refuses leaves the file as it is, and
 * the credential is printed first and stands.
 */
export async function tokenCommand(target?: TokenTarget, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const login = currentLogin();
  if (login === undefined) throw new CliError(`not logged in (no session in ${credentialsDir()}); ${loginHint}`, ExitCode.unauthenticated);
  let tokens: TokenSet;
  try {
    tokens = await new TokenStore({ path: tokensPath(), ...(login.issuerCA === undefined ? {} : { caPEM: login.issuerCA }) }).validToken();
  } catch (error) {
    throw new CliError(`the session of ${login.user} has expired (${(error as Error).message}); ${loginHint}`, ExitCode.unauthenticated);
  }
  out.write(`${JSON.stringify(execCredential(tokens))}\n`);
  if (target !== undefined) await keepClusterCACurrent({ target, token: tokens.idToken });
}
