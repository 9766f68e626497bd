import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import { page } from "../html.ts";
import { invalidCredentialsMessage, loginPage } from "./pages.ts";
import { devClientID } from "./provider.ts";
import { checkPassword, type DevUser } from "./users.ts";

type Interaction = Awaited<ReturnType<Provider["interactionDetails"]>>;

const interactionPath = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/;

/** Clients whose consent is implied: our own. A third-party client would need a consent page. */
const firstPartyClients = new Set([devClientID]);

/** The largest login form body read; anything bigger is not a login. */
const maxBodyBytes = 16 * 1024;

/**
 * Serves the interaction pages oidc-provider redirects to: the login form
 * (checked against the users file) and an automatic consent for the
 * first-party client. Returns false for any other path, which is then left
 * to oidc-provider.
 */
export async function handleInteraction(provider: Provider, users: readonly DevUser[], req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const match = interactionPath.exec(new URL(req.url ?? "/", "http://x").pathname);
  if (!match) return false;
  res.setHeader("cache-control", "no-store");
  let details: Interaction;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    // An unknown or expired interaction (or a missing cookie): start over.
    send(res, 400, page("Sign-in expired", "<p>This sign-in has expired or was already used. Start again from your application.</p>"));
    return true;
  }
  if (match[1] !== details.uid) {
    send(res, 400, page("Sign-in mismatch", "<p>This page does not belong to the current sign-in.</p>"));
    return true;
  }
  const isLoginPost = match[2] === "/login";
  if (isLoginPost && req.method === "POST") await submitLogin(provider, users, details, req, res);
  else if (details.prompt.name === "login") send(res, 200, loginPage(loginAction(details), { clientID: clientIDOf(details) }));
  else if (details.prompt.name === "consent") await grantConsent(provider, details, req, res);
  else send(res, 400, page("Unsupported step", `<p>This issuer cannot handle the step ${JSON.stringify(details.prompt.name)}.</p>`));
  return true;
}

async function submitLogin(provider: Provider, users: readonly DevUser[], details: Interaction, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (details.prompt.name !== "login") {
    send(res, 400, page("Already signed in", "<p>This sign-in no longer asks for a password.</p>"));
    return;
  }
  const form = await readForm(req);
  const login = form.get("login") ?? "";
  const user = checkPassword(users, login, form.get("password") ?? "");
  if (user === undefined) {
    // 401 with the form again: a person retries, a program sees the status.
    send(res, 401, loginPage(loginAction(details), { clientID: clientIDOf(details), login, error: invalidCredentialsMessage }));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: user.username } }, { mergeWithLastSubmission: false });
}

/**
 * Grants exactly what the first-party client asked for and is still
 * missing, as oidc-provider's own example does after its consent page.
 */
async function grantConsent(provider: Provider, details: Interaction, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const clientID = clientIDOf(details);
  const accountId = details.session?.accountId;
  if (!firstPartyClients.has(clientID) || accountId === undefined) {
    send(res, 403, page("Consent required", `<p>The client ${JSON.stringify(clientID)} is not first-party; this issuer has no consent page.</p>`));
    return;
  }
  const grant = details.grantId === undefined ? new provider.Grant({ accountId, clientId: clientID }) : await provider.Grant.find(details.grantId);
  if (grant === undefined) throw new Error(`grant ${String(details.grantId)} of interaction ${details.uid} not found`);
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(" "));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

function loginAction(details: Interaction): string {
  return `/interaction/${details.uid}/login`;
}

function clientIDOf(details: Interaction): string {
  return String(details.params.client_id);
}

function send(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "text/html; charset=utf-8");
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new Error("login form body too large");
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}
