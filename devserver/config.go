package devserver

import (
	"net"
	"strconv"
	"time"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"
)

const (
	// clusterName names the single cluster; it is stored in the database on
	// first start and must stay the same afterwards.
	clusterName = "active"
	// loopback is where the internal services listen and find each other.
	loopback = "127.0.0.1"
)

// servicePorts are the gRPC ports of the four server roles.
type servicePorts struct {
	frontend, history, matching, worker int
}

// pickServicePorts returns frontendPort (or a free port if it is 0) for the
// frontend on frontendHost and free loopback ports for the other roles.
func pickServicePorts(frontendHost string, frontendPort int) (servicePorts, error) {
	p := servicePorts{frontend: frontendPort}
	var err error
	if p.frontend == 0 {
		if p.frontend, err = freePort(frontendHost); err != nil {
			return p, err
		}
	}
	for _, port := range []*int{&p.history, &p.matching, &p.worker} {
		if *port, err = freePort(loopback); err != nil {
			return p, err
		}
	}
	return p, nil
}

// serverConfig is the static configuration of a single-node server: one
// history shard, SQLite for both execution and visibility stores, no
// archival, no metrics exporter, no pprof, no HTTP API.
func serverConfig(sqlConf *config.SQL, frontendHost, dialHost string, ports servicePorts) *config.Config {
	frontendAddr := net.JoinHostPort(dialHost, strconv.Itoa(ports.frontend))
	service := func(host string, port int) config.Service {
		var s config.Service
		s.RPC.GRPCPort = port
		s.RPC.BindOnIP = host
		return s
	}

	var conf config.Config
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = loopback
	conf.Persistence.DefaultStore = "sqlite"
	conf.Persistence.VisibilityStore = "sqlite"
	conf.Persistence.NumHistoryShards = 1
	conf.Persistence.DataStores = map[string]config.DataStore{"sqlite": {SQL: sqlConf}}
	conf.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontendAddr,
				// ClusterID empty: the server generates one on first start
				// and keeps the stored one afterwards.
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{
		string(primitives.FrontendService): service(frontendHost, ports.frontend),
		string(primitives.HistoryService):  service(loopback, ports.history),
		string(primitives.MatchingService): service(loopback, ports.matching),
		string(primitives.WorkerService):   service(loopback, ports.worker),
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	// The worker role (scheduler, system workflows) reaches the frontend here.
	conf.PublicClient.HostPort = frontendAddr
	return &conf
}

// staticHosts tells each role where the others are, without a gossip ring.
func staticHosts(dialHost string, ports servicePorts) map[primitives.ServiceName]static.Hosts {
	at := func(host string, port int) static.Hosts {
		return static.SingleLocalHost(net.JoinHostPort(host, strconv.Itoa(port)))
	}
	return map[primitives.ServiceName]static.Hosts{
		primitives.FrontendService: at(dialHost, ports.frontend),
		primitives.HistoryService:  at(loopback, ports.history),
		primitives.MatchingService: at(loopback, ports.matching),
		primitives.WorkerService:   at(loopback, ports.worker),
	}
}

// dynamicConfig holds the dev server's dynamic configuration. Features
// adscan relies on are switched on explicitly even where the server's
// default already has them on, so an upgrade cannot silently drop them;
// history size and count limits keep the server defaults.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// Updates (case decisions use Update with a validator).
		dynamicconfig.FrontendEnableUpdateWorkflowExecution.Key():              true,
		dynamicconfig.FrontendEnableUpdateWorkflowExecutionAsyncAccepted.Key(): true,
		// Eager workflow start: a scan starts a review workflow for every
		// case it finds, and the worker that starts one takes its first
		// workflow task in the start's answer instead of through matching.
		dynamicconfig.EnableEagerWorkflowStart.Key(): true,
		// Schedules: the RPCs in the frontend, the scheduler in the worker role.
		dynamicconfig.FrontendEnableSchedules.Key(): true,
		dynamicconfig.WorkerEnableScheduler.Key():   true,
		// Search attributes visible as soon as they are created, as in the
		// Temporal CLI's dev server; persistence QPS raised to match.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		dynamicconfig.FrontendPersistenceMaxQPS.Key():               10000,
		dynamicconfig.HistoryPersistenceMaxQPS.Key():                45000,
		// The console lists workflows often; the default 10 RPS throttles it.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		// One process on one machine: a smaller mutable-state cache.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): 8192,
	}
}
