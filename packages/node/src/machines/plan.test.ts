import { cloudInitUserData } from "@seedbed/providers";
import { describe, expect, it } from "vitest";
import { parseCloudConfig } from "./cloud-config.ts";
import { planMachine } from "./plan.ts";
import { execStart } from "./systemd.ts";

const userData = cloudInitUserData({
  apiServer: "https://192.0.2.2:6443",
  caCertificatePem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
  clusterDNS: "10.96.0.10",
  clusterDomain: "cluster.local",
  template: { cpu: "2", memory: "4Gi", pods: 110, labels: { team: "a" } },
  poolName: "workers",
  token: "abcdef.0123456789abcdef",
  kubernetesVersion: "1.37.1",
  clusterId: "p--c",
  podCIDR: "10.44.0.0/16",
});

describe("a local machine's plan from the cloud providers' user data", () => {
  it("writes every file under the machine's root and starts the kubelet and kube-proxy as their units say", () => {
    const plan = planMachine(parseCloudConfig(userData), "/m/root");
    expect(plan.files.map((f) => [f.path, f.mode.toString(8)])).toEqual([
      ["/m/root/etc/kubernetes/pki/ca.crt", "644"],
      ["/m/root/etc/kubernetes/bootstrap-kubelet.conf", "600"],
      ["/m/root/var/lib/kubelet/config.yaml", "644"],
      ["/m/root/var/lib/kube-proxy/config.yaml", "644"],
      ["/m/root/etc/systemd/system/kubelet.service.d/10-seedbed.conf", "644"],
      ["/m/root/etc/systemd/system/kube-proxy.service", "644"],
    ]);
    expect(plan.kubelet).toEqual({
      config: "/m/root/var/lib/kubelet/config.yaml",
      bootstrapKubeconfig: "/m/root/etc/kubernetes/bootstrap-kubelet.conf",
      kubeconfig: "/m/root/etc/kubernetes/kubelet.conf",
      args: ["--node-labels=team=a,seedbed.dev/node-pool=workers,seedbed.dev/cluster-id=p--c"],
    });
    expect(plan.kubeProxy).toEqual({ config: "/m/root/var/lib/kube-proxy/config.yaml" });
  });

  it.each([
    ["not cloud-config", "#!/bin/sh\necho hi\n", /first line must be #cloud-config/],
    ["a module it does not run", "#cloud-config\npackages: [vim]\n", /packages not supported by the local provider/],
    ["a shell command", "#cloud-config\nruncmd:\n  - echo hi\n", /runcmd\[0\] must be a command as a list/],
    ["another program", "#cloud-config\nruncmd:\n  - [curl, x]\n", /runcmd\[0\] runs curl; the local provider runs only systemctl/],
    ["a service the image lacks", "#cloud-config\nruncmd:\n  - [systemctl, enable, --now, nginx]\n", /starts nginx, which a local machine does not have/],
    ["no kubelet", "#cloud-config\nruncmd:\n  - [systemctl, daemon-reload]\n", /never starts the kubelet/],
    ["a relative path", "#cloud-config\nwrite_files:\n  - path: etc/x\n    content: y\n", /write_files\[0\]\.path must be an absolute path/],
    ["an escape from the root", "#cloud-config\nwrite_files:\n  - path: /etc/../../x\n    content: y\n", /without "\.\."/],
    ["base64 content", "#cloud-config\nwrite_files:\n  - path: /x\n    encoding: b64\n    content: eQ==\n", /encoding "b64" not supported/],
    ["the kubelet without a bootstrap kubeconfig", "#cloud-config\nwrite_files:\n  - path: /etc/systemd/system/kubelet.service.d/1.conf\n    content: \"[Service]\\nExecStart=\\nExecStart=/usr/bin/kubelet --config=/c --kubeconfig=/k\\n\"\nruncmd:\n  - [systemctl, enable, --now, kubelet]\n", /without --bootstrap-kubeconfig/],
  ])("refuses %s, naming what", (_title, data, message) => {
    expect(() => planMachine(parseCloudConfig(data), "/m/root")).toThrow(message);
  });
});

describe("execStart", () => {
  it("follows drop-ins as systemd does: an empty ExecStart resets, $VARS split into words", () => {
    const unit = "[Service]\nExecStart=/usr/bin/kubelet --old\n";
    const dropIn = '[Service]\nEnvironment="A=--a=1 --b=2"\nEnvironment=B=--c=3\nExecStart=\nExecStart=-/usr/bin/kubelet $A ${B} --d=4 $UNSET\n';
    expect(execStart([unit, dropIn], "kubelet.service")).toEqual(["/usr/bin/kubelet", "--a=1", "--b=2", "--c=3", "--d=4"]);
    expect(() => execStart(["[Service]\nExecStart=\n"], "x.service")).toThrow(/x\.service has no ExecStart/);
  });
});
