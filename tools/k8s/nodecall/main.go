// Command kubernetes-node is one binary holding what a real node runs beside its
// container runtime: the kubelet, kube-proxy, and cri-clean (Seedbed's own:
// stops and removes every pod sandbox of a CRI runtime, so that stopping a
// node tears down its pods' networks through CNI instead of leaking them).
// It is separate from the control-plane binary (tools/k8s/multicall) so that
// a warm cache of that one is never rebuilt when the node is added.
//
// It picks the component from the name it was started under (a link named
// kubelet-v1.37.1 runs the kubelet), or from its first argument
// (`kubernetes-node kube-proxy --help`).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	cri "k8s.io/cri-client/pkg"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

// versionSuffix matches the "-v1.37.1" the binary cache appends to names.
var versionSuffix = regexp.MustCompile(`-v[0-9]+\.[0-9]+\.[0-9]+.*$`)

func main() {
	name := versionSuffix.ReplaceAllString(filepath.Base(os.Args[0]), "")
	args := os.Args[1:]
	if name == "kubernetes-node" {
		if len(args) == 0 {
			fmt.Fprintln(os.Stderr, "usage: kubernetes-node kubelet|kube-proxy|cri-clean [args...]")
			os.Exit(2)
		}
		name, args = args[0], args[1:]
	}
	os.Args = append([]string{name}, args...)
	os.Exit(run(name, args))
}

func run(name string, args []string) int {
	var command *cobra.Command
	switch name {
	case "kubelet":
		command = kubelet.NewKubeletCommand(context.Background())
	case "kube-proxy":
		command = proxy.NewProxyCommand()
	case "cri-clean":
		return criClean(args)
	default:
		fmt.Fprintf(os.Stderr, "kubernetes-node: unknown component %q\n", name)
		return 2
	}
	return cli.Run(command)
}

// criClean stops and removes every pod sandbox (and so every container) of
// the runtime at --runtime-endpoint. StopPodSandbox is what runs the CNI DEL
// that frees the pod's address and removes its veth and NAT rules.
func criClean(args []string) int {
	flags := flag.NewFlagSet("cri-clean", flag.ContinueOnError)
	endpoint := flags.String("runtime-endpoint", "", "the CRI socket, e.g. unix:///run/containerd/containerd.sock")
	timeout := flags.Duration("timeout", time.Minute, "how long the whole clean-up may take")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if *endpoint == "" {
		fmt.Fprintln(os.Stderr, "cri-clean: --runtime-endpoint is required, e.g. --runtime-endpoint unix:///run/containerd/containerd.sock")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	// The constructor every offered minor has (1.37 deprecates it for a
	// builder that 1.36 lacks): one source builds the node of each minor.
	runtime, err := cri.NewRemoteRuntimeService(ctx, *endpoint, 10*time.Second, nil, false) //nolint:staticcheck

	if err != nil {
		fmt.Fprintf(os.Stderr, "cri-clean: cannot reach the runtime at %s: %v\n", *endpoint, err)
		return 1
	}
	sandboxes, err := runtime.ListPodSandbox(ctx, nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cri-clean: cannot list pod sandboxes: %v\n", err)
		return 1
	}
	failed := 0
	for _, sandbox := range sandboxes {
		pod := sandbox.GetMetadata().GetNamespace() + "/" + sandbox.GetMetadata().GetName()
		if err := runtime.StopPodSandbox(ctx, sandbox.GetId()); err != nil {
			fmt.Fprintf(os.Stderr, "cri-clean: stopping the sandbox of %s (%s): %v\n", pod, sandbox.GetId(), err)
			failed++
			continue
		}
		if err := runtime.RemovePodSandbox(ctx, sandbox.GetId()); err != nil {
			fmt.Fprintf(os.Stderr, "cri-clean: removing the sandbox of %s (%s): %v\n", pod, sandbox.GetId(), err)
			failed++
			continue
		}
		fmt.Printf("removed %s (%s)\n", pod, sandbox.GetId())
	}
	if failed > 0 {
		return 1
	}
	return 0
}
