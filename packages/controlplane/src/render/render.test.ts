import { describe, expect, it } from "vitest";
import { renderEtcd } from "./etcd.ts";
import { renderKubeAPIServer, type KubeAPIServerRenderInput } from "./kube-apiserver.ts";
import { renderKubeControllerManager } from "./kube-controller-manager.ts";
import { flags } from "./process-spec.ts";

const apiServerInput: KubeAPIServerRenderInput = {
  binary: "/bin/kube-apiserver",
  securePort: 6443,
  etcdServers: ["https://127.0.0.1:2379"],
  serviceClusterIPRange: "10.96.0.0/12",
  certDir: "/x",
  pki: {
    clientCAFile: "ca.crt",
    tlsCertFile: "apiserver.crt",
    tlsKeyFile: "apiserver.key",
    etcdCAFile: "etcd-ca.crt",
    etcdCertFile: "c.crt",
    etcdKeyFile: "c.key",
    serviceAccountKeyFile: "sa.pub",
    serviceAccountSigningKeyFile: "sa.key",
    kubeletClientCertFile: "apiserver-kubelet-client.crt",
    kubeletClientKeyFile: "apiserver-kubelet-client.key",
    frontProxyCAFile: "front-proxy-ca.crt",
    frontProxyClientCertFile: "front-proxy-client.crt",
    frontProxyClientKeyFile: "front-proxy-client.key",
  },
};

describe("renderers", () => {
  it("render flags sorted by name and drop undefined ones", () => {
    expect(flags({ b: 1, a: "x", c: undefined, d: false })).toEqual(["--a=x", "--b=1", "--d=false"]);
  });

  it("give byte-identical output for equal input, whatever the key order", () => {
    const reordered: KubeAPIServerRenderInput = { ...apiServerInput, pki: { ...apiServerInput.pki }, extraFlags: { "v": 2, "audit-log-maxage": 3 } };
    const again: KubeAPIServerRenderInput = { ...apiServerInput, extraFlags: { "audit-log-maxage": 3, "v": 2 } };
    expect(JSON.stringify(renderKubeAPIServer(reordered))).toBe(JSON.stringify(renderKubeAPIServer(again)));
  });

  it("bind kube-apiserver to loopback with RBAC and etcd over TLS", () => {
    const args = renderKubeAPIServer(apiServerInput).args;
    expect(args).toContain("--bind-address=127.0.0.1");
    expect(args).toContain("--authorization-mode=Node,RBAC");
    expect(args).toContain("--etcd-servers=https://127.0.0.1:2379");
    expect(args).toContain("--etcd-certfile=c.crt");
  });

  it("let machines join with bootstrap tokens, reach kubelets with a client certificate checked against the cluster CA, and front aggregated APIs", () => {
    const args = renderKubeAPIServer(apiServerInput).args;
    expect(args).toEqual(
      expect.arrayContaining([
        "--enable-bootstrap-token-auth=true",
        "--enable-admission-plugins=NodeRestriction",
        "--kubelet-client-certificate=apiserver-kubelet-client.crt",
        "--kubelet-client-key=apiserver-kubelet-client.key",
        "--kubelet-certificate-authority=ca.crt",
        "--requestheader-client-ca-file=front-proxy-ca.crt",
        "--requestheader-allowed-names=front-proxy-client",
        "--requestheader-username-headers=X-Remote-User",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        "--proxy-client-cert-file=front-proxy-client.crt",
        "--proxy-client-key-file=front-proxy-client.key",
      ]),
    );
  });

  it("run the bootstrap-token controllers and sign kubelet certificates with the cluster CA", () => {
    const input = { binary: "kcm", kubeconfigFile: "k", securePort: 1, certDir: "/c", clusterCACertFile: "ca.crt", clusterCAKeyFile: "ca.key", serviceAccountPrivateKeyFile: "sa", serviceClusterIPRange: "10.96.0.0/12", leaderElect: false };
    expect(renderKubeControllerManager(input).args).toEqual(expect.arrayContaining(["--controllers=*,bootstrapsigner,tokencleaner", "--cluster-signing-cert-file=ca.crt", "--cluster-signing-key-file=ca.key"]));
  });

  it("name the service-account issuer after the cluster's DNS domain, cluster.local by default", () => {
    expect(renderKubeAPIServer(apiServerInput).args).toContain("--service-account-issuer=https://kubernetes.default.svc.cluster.local");
    expect(renderKubeAPIServer({ ...apiServerInput, dnsDomain: "corp.internal" }).args).toContain("--service-account-issuer=https://kubernetes.default.svc.corp.internal");
  });

  it("give nodes pod ranges only when the cluster has a pod CIDR", () => {
    const input = { binary: "kcm", kubeconfigFile: "k", securePort: 1, certDir: "/c", clusterCACertFile: "ca", clusterCAKeyFile: "key", serviceAccountPrivateKeyFile: "sa", serviceClusterIPRange: "10.96.0.0/12", leaderElect: false };
    expect(renderKubeControllerManager({ ...input, clusterCIDR: "10.244.0.0/16" }).args).toEqual(expect.arrayContaining(["--cluster-cidr=10.244.0.0/16", "--allocate-node-cidrs=true", "--node-cidr-mask-size=24"]));
    expect(renderKubeControllerManager(input).args.some((a) => a.startsWith("--cluster-cidr") || a.startsWith("--allocate-node-cidrs"))).toBe(false);
  });

  it("make etcd require client certificates and skip fsync only when asked", () => {
    const input = {
      binary: "/bin/etcd",
      dataDir: "/d",
      clientPort: 1,
      peerPort: 2,
      pki: { caFile: "ca", serverCertFile: "s", serverKeyFile: "k", peerCertFile: "p", peerKeyFile: "pk" },
    };
    const args = renderEtcd(input).args;
    expect(args).toContain("--client-cert-auth=true");
    expect(args).toContain("--peer-client-cert-auth=true");
    expect(args.some((a) => a.startsWith("--unsafe-no-fsync"))).toBe(false);
    expect(renderEtcd({ ...input, unsafeNoFsync: true }).args).toContain("--unsafe-no-fsync=true");
  });
});
