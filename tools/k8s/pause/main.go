// Command pause is the process of a pod sandbox: it holds the pod's
// namespaces and does nothing until it is told to stop. Seedbed builds it
// (static, CGO_ENABLED=0) and imports it as the sandbox image of the nodes
// it starts, so no node needs a registry for registry.k8s.io/pause.
// It also reaps zombies, since it is PID 1 of pods that share a PID namespace.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	children := make(chan os.Signal, 16)
	signal.Notify(children, syscall.SIGCHLD)
	for {
		select {
		case <-stop:
			os.Exit(0)
		case <-children:
			reap()
		}
	}
}

// reap collects every child that has exited, without blocking.
func reap() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
