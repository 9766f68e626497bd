// Command kube-network-policies is SIG Network's NetworkPolicy enforcer
// (sigs.k8s.io/kube-network-policies, pkg/networkpolicy) as Seedbed runs it:
// a process on each real node, inside the node's network namespace, rather
// than a DaemonSet pod. Upstream's cmd/main.go only knows the in-cluster
// configuration; this one differs in what a process on a node needs:
//
//   - --kubeconfig names the node's own credentials for the agent;
//   - NRI is off: every node on the machine has its own containerd, and
//     NRI's socket path (/var/run/nri/nri.sock) would be one for all;
//   - SIGTERM stops it as SIGINT does, and the nftables table goes with it;
//   - --queue-verdict picks the native nft queue expression or xtables'
//     NFQUEUE target (auto: whichever this kernel has, see queue_verdict.go);
//   - /healthz answers 200 once the controller's nftables table exists.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sys/unix"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/component-base/logs"
	logsapi "k8s.io/component-base/logs/api/v1"
	"k8s.io/klog/v2"
	"sigs.k8s.io/kube-network-policies/pkg/networkpolicy"
)

// tableName is the controller's nftables table (its default).
const tableName = "kube-network-policies"

func main() { os.Exit(run()) }

func run() int {
	var (
		kubeconfig          = flag.String("kubeconfig", "", "Path of the kubeconfig the agent reads pods, namespaces and NetworkPolicies with (required)")
		nodeName            = flag.String("hostname-override", "", "The name of the Node this agent runs on (required)")
		queueID             = flag.Int("nfqueue-id", 100, "Number of the nfqueue used")
		failOpen            = flag.Bool("fail-open", false, "If set, don't drop packets if the controller is not running")
		metricsBindAddress  = flag.String("metrics-bind-address", "127.0.0.1:9080", "Address of /metrics and /healthz")
		netfilterBug1766Fix = flag.Bool("netfilter-bug-1766-fix", true, "Process DNS packets on the PREROUTING hooks (not needed for kernels 6.12+)")
		queueVerdict        = flag.String("queue-verdict", "auto", "How packets reach the queue: nft (nft_queue), xt (nft_compat with xtables' NFQUEUE target), or auto (nft if this kernel has it)")
	)
	c := logsapi.NewLoggingConfiguration()
	logsapi.AddGoFlags(c, flag.CommandLine)
	flag.Parse()
	logs.InitLogs()
	if err := logsapi.ValidateAndApply(c, nil); err != nil {
		fmt.Fprintf(os.Stderr, "%v\n", err)
		return 1
	}
	if *kubeconfig == "" || *nodeName == "" {
		fmt.Fprintln(os.Stderr, "--kubeconfig and --hostname-override are required")
		return 2
	}
	if _, _, err := net.SplitHostPort(*metricsBindAddress); err != nil {
		fmt.Fprintf(os.Stderr, "--metrics-bind-address %q: %v\n", *metricsBindAddress, err)
		return 2
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	logger := klog.FromContext(ctx)

	switch *queueVerdict {
	case "nft":
	case "xt":
		networkpolicy.UseXTQueue = true
	case "auto":
		networkpolicy.UseXTQueue = !nativeQueueWorks()
	default:
		fmt.Fprintf(os.Stderr, "--queue-verdict %q: use nft, xt or auto\n", *queueVerdict)
		return 2
	}
	logger.Info("Queue verdict", "xtNFQUEUE", networkpolicy.UseXTQueue, "queue", *queueID)

	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		logger.Error(err, "Reading the kubeconfig", "path", *kubeconfig)
		return 1
	}
	config.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	config.ContentType = "application/vnd.kubernetes.protobuf"
	clientset, err := kubernetes.NewForConfig(config)
	if err != nil {
		logger.Error(err, "Creating the client")
		return 1
	}
	factory := informers.NewSharedInformerFactory(clientset, 0)

	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.Handler())
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		if err := tableExists(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	listener, err := net.Listen("tcp", *metricsBindAddress)
	if err != nil {
		logger.Error(err, "Listening", "address", *metricsBindAddress)
		return 1
	}
	go func() { _ = http.Serve(listener, mux) }()

	controller, err := networkpolicy.NewController(
		clientset,
		factory.Networking().V1().NetworkPolicies(),
		factory.Core().V1().Namespaces(),
		factory.Core().V1().Pods(),
		nil, nil, nil, nil,
		networkpolicy.Config{
			FailOpen:            *failOpen,
			QueueID:             *queueID,
			NodeName:            *nodeName,
			NetfilterBug1766Fix: *netfilterBug1766Fix,
			NRIdisabled:         true,
		},
	)
	if err != nil {
		logger.Error(err, "Creating the network policy controller")
		return 1
	}
	done := make(chan error, 1)
	go func() { done <- controller.Run(ctx) }()
	factory.Start(ctx.Done())

	select {
	case err := <-done:
		// Run returns early only when it cannot work (e.g. no nfqueue socket).
		if err != nil && ctx.Err() == nil {
			logger.Error(err, "The network policy controller stopped")
			return 1
		}
	case <-ctx.Done():
		// Run removes its nftables table on the way out.
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}
	factory.Shutdown()
	return 0
}

// tableExists is nil once the controller has written its rules.
func tableExists() error {
	conn, err := nftables.New()
	if err != nil {
		return err
	}
	if _, err := conn.ListTableOfFamily(tableName, nftables.TableFamilyINet); err != nil {
		return fmt.Errorf("no nftables table inet %s yet: %w", tableName, err)
	}
	return nil
}

// nativeQueueWorks tries a rule with nftables' queue expression in a
// throw-away table: kernels without nft_queue refuse it (EOPNOTSUPP).
func nativeQueueWorks() bool {
	conn, err := nftables.New()
	if err != nil {
		return false
	}
	table := &nftables.Table{Name: tableName + "-probe", Family: nftables.TableFamilyINet}
	conn.AddTable(table)
	chain := conn.AddChain(&nftables.Chain{Name: "probe", Table: table, Type: nftables.ChainTypeFilter, Hooknum: nftables.ChainHookPostrouting, Priority: nftables.ChainPriorityFilter})
	// Never matches: an empty protocol number.
	conn.AddRule(&nftables.Rule{Table: table, Chain: chain, Exprs: []expr.Any{
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{255}},
		&expr.Queue{Num: 0, Flag: expr.QueueFlagBypass},
	}})
	err = conn.Flush()
	conn.DelTable(table)
	_ = conn.Flush()
	if err != nil && !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.ENOENT) {
		klog.InfoS("Probing nftables' queue expression failed", "error", err)
	}
	return err == nil
}
