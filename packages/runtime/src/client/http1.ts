import { KubeConfig } from "@kubernetes/client-node";

/** Marks the prototype once patched (a symbol shared by every copy of this module). */
const patched = Symbol.for("seedbed.preferHTTP1");

/**
 * Makes every connection client-node opens to an API server speak
 * HTTP/1.1, as client-node's earlier transports did.
 *
 * Why: client-node 2 builds its undici Agents without `allowH2`, and
 * undici 8 then offers HTTP/2, which Go's API server accepts; watches and
 * requests become streams of one HTTP/2 session. Under load (several
 * tenants' informers reconnecting while their API servers start, two test
 * files on 2 cores) a process sat in nghttp2's send path and grew to 19 GiB
 * in under two minutes until the kernel killed it (seen in CI and
 * reproduced with gdb: `nghttp2_session_mem_send` ← `Http2Session::SendPendingData`).
 * With HTTP/1.1 each watch has a connection of its own, which is also what
 * the controller's memory figures were measured with.
 *
 * It patches `KubeConfig.prototype.createDispatcherOptions` (public, and the
 * one place client-node derives its undici options from), so that clients
 * made anywhere in the process — ours, informers' watches, tests' — get it.
 */
export function preferHTTP1(): void {
  const prototype = KubeConfig.prototype as { createDispatcherOptions: KubeConfig["createDispatcherOptions"] } & { [patched]?: true };
  if (prototype[patched]) return;
  const original = prototype.createDispatcherOptions;
  prototype.createDispatcherOptions = function (this: KubeConfig, ...args: Parameters<KubeConfig["createDispatcherOptions"]>) {
    const options = original.apply(this, args);
    // `connect` is spread last into undici's connector options, so this wins.
    if (options.type === "agent" || options.type === "proxy") return { ...options, connect: { ...options.connect, allowH2: false } };
    return options;
  };
  prototype[patched] = true;
}
