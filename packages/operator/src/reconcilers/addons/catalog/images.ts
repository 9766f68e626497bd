/** The registry a reference that names none is pulled from (`kubernetesui/dashboard` is `docker.io/kubernetesui/dashboard`). */
const dockerHub = "docker.io";

/**
 * Whether the first element of a reference names a registry host rather
 * than a path: it has a dot (a domain) or a colon (a port), or it is
 * localhost — the rule container runtimes apply.
 */
function isRegistryHost(element: string): boolean {
  return element.includes(".") || element.includes(":") || element === "localhost";
}

/**
 * Where an add-on's image is pulled from: `upstream` as it is, or, with a
 * registry mirror, the same repository path and tag under the mirror —
 * `registry.k8s.io/coredns/coredns:v1.15.0` under `seedbed.local` is
 * `seedbed.local/coredns/coredns:v1.15.0`, `docker.io/kubernetesui/dashboard:v2.7.0`
 * (or `kubernetesui/dashboard:v2.7.0`) under `mirror.example.com/m` is
 * `mirror.example.com/m/kubernetesui/dashboard:v2.7.0`. A mirror is filled
 * by copying each image to its path under it (what `crane copy` or a
 * pull-through cache does), so only the registry host is replaced; Docker
 * Hub's official images keep their implied `library/`. Works as well on a
 * repository without a tag (a chart's `image.repository` value).
 */
export function addonImage(upstream: string, registry?: string): string {
  const mirror = (registry ?? "").replace(/\/+$/, "");
  if (mirror === "") return upstream;
  const [first = "", ...rest] = upstream.split("/");
  const named = rest.length > 0 && isRegistryHost(first);
  const host = named ? first : dockerHub;
  const path = named ? rest.join("/") : upstream;
  const repository = host === dockerHub && !path.includes("/") ? `library/${path}` : path;
  return `${mirror}/${repository}`;
}
