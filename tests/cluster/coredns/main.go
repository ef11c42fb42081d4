// Command coredns is a minimal CoreDNS for the runtime tests' one-node cluster: cluster names
// from the API server (kubernetes) on the node's address (bind), health and readiness, a
// cache, and nothing that reaches outside the machine (no forward). It is not part of the
// product.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

func init() {
	// The order a query passes the plugins, as CoreDNS's own plugin.cfg orders these.
	dnsserver.Directives = []string{"bind", "ready", "health", "errors", "cache", "kubernetes"}
}

func main() {
	coremain.Run()
}
