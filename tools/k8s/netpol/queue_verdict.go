// Seedbed's addition to sigs.k8s.io/kube-network-policies/pkg/networkpolicy
// (copied into the package by tools/k8s/build.sh, with seedbed.patch making
// the controller call queueVerdict).
//
// Upstream sends the first packet of each connection to user space with
// nftables' native `queue` expression (the nft_queue kernel module). Some
// kernels are built without it (CONFIG_NFT_QUEUE unset, no modules to
// load), but with nft_compat and xtables' NFQUEUE target, which
// iptables-nft uses for `-j NFQUEUE`: the same queue, reached through the
// compatibility layer. The rules are otherwise unchanged.

package networkpolicy

import (
	"encoding/binary"

	"github.com/google/nftables/expr"
	"github.com/google/nftables/xt"
)

// UseXTQueue selects xtables' NFQUEUE target instead of the native queue
// expression; the command sets it before the controller starts.
var UseXTQueue bool

// xtNFQueueBypass is NFQ_FLAG_BYPASS of xt_NFQ_info_v3: accept when no
// program listens on the queue (fail open).
const xtNFQueueBypass = 0x01

// queueVerdict is the rule expression that hands a packet to queue `num`.
func queueVerdict(num uint16, failOpen bool) expr.Any {
	if UseXTQueue {
		return XTQueue(num, failOpen)
	}
	queue := &expr.Queue{Num: num}
	if failOpen {
		queue.Flag = expr.QueueFlagBypass
	}
	return queue
}

// XTQueue is `-j NFQUEUE --queue-num num [--queue-bypass]` as nft_compat
// takes it: revision 3, struct xt_NFQ_info_v3 { u16 queuenum; u16
// queues_total; u16 flags; } in host byte order, padded to 8 bytes.
func XTQueue(num uint16, failOpen bool) *expr.Target {
	info := make([]byte, 8)
	binary.NativeEndian.PutUint16(info[0:], num)
	binary.NativeEndian.PutUint16(info[2:], 1)
	if failOpen {
		binary.NativeEndian.PutUint16(info[4:], xtNFQueueBypass)
	}
	unknown := xt.Unknown(info)
	return &expr.Target{Name: "NFQUEUE", Rev: 3, Info: &unknown}
}
