import { describe, expect, it } from "vitest";
import { CliError, ExitCode } from "../errors.ts";
import { program } from "../program.ts";
import { controlPlaneImages } from "./operator.ts";

describe("seedbed operator's control-plane images", () => {
  it("reads --image-registry and repeated --control-plane-image as the chart passes them", () => {
    const root = program();
    const command = root.commands.find((c) => c.name() === "operator");
    command?.action(() => undefined);
    root.parse(["operator", "--image-registry=mirror.example.com/k8s", "--control-plane-image=kube-apiserver=docker.io/seedbed/kube-apiserver:v{version}", "--control-plane-image=etcd=docker.io/seedbed/etcd:dev"], { from: "user" });
    const options = command?.opts() as { imageRegistry?: string; controlPlaneImage?: string[] };
    expect(controlPlaneImages(options)).toEqual({ registry: "mirror.example.com/k8s", overrides: { "kube-apiserver": "docker.io/seedbed/kube-apiserver:v{version}", etcd: "docker.io/seedbed/etcd:dev" } });
  });

  it("defaults to registry.k8s.io with no overrides", () => {
    expect(controlPlaneImages({})).toEqual({ registry: "registry.k8s.io", overrides: {} });
  });

  it.each([
    [{ imageRegistry: "https://registry.k8s.io" }, /--image-registry must be a registry host and path/],
    [{ controlPlaneImage: ["apiserver=x:1"] }, /--control-plane-image: control-plane image "apiserver=x:1" must be <component>=<image>/],
  ])("refuses %j with a usage error naming the flag", (options, message) => {
    const call = (): unknown => controlPlaneImages(options);
    expect(call).toThrow(CliError);
    expect(call).toThrow(message);
    try {
      call();
    } catch (error) {
      expect((error as CliError).exitCode).toBe(ExitCode.usage);
    }
  });
});
