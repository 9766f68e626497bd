import { X509Certificate } from "node:crypto";
import { request } from "node:https";
import type { TLSSocket } from "node:tls";

/** What a probe found: served, or what it saw instead. */
export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly why: string };

/**
 * Whether a TLS server at `url` really serves with what the stored PKI
 * says: its certificate is `expectedServerPem` (the file reloaded, not
 * only written), it is verified with `caBundle`, and it accepts a client
 * certificate `clientPem` (its client CAs reloaded). A request to `path`
 * must answer 200. Nothing is logged; keys stay in memory.
 */
export function probeServing(url: string, path: string, tls: { caBundle: string; clientPem: string; clientKeyPem: string; expectedServerPem: string }, timeoutMs = 2000): Promise<ProbeResult> {
  const expected = new X509Certificate(tls.expectedServerPem).fingerprint256;
  return new Promise((resolve) => {
    const req = request(new URL(path, url), { method: "GET", ca: tls.caBundle, cert: tls.clientPem, key: tls.clientKeyPem, agent: false, timeout: timeoutMs }, (res) => {
      const served = (res.socket as TLSSocket).getPeerCertificate().fingerprint256 as string | undefined;
      res.resume();
      if (served !== expected) resolve({ ok: false, why: `${url} still serves certificate ${served ?? "?"}, not the stored ${expected}` });
      else if (res.statusCode !== 200) resolve({ ok: false, why: `${url}${path} answers ${res.statusCode ?? "?"} to a client certificate of the current CA` });
      else resolve({ ok: true });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error) => resolve({ ok: false, why: `${url}: ${error.message}` }));
    req.end();
  });
}
