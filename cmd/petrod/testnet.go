package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/keyring"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

const (
	flagValidators    = "validators"
	flagFullNodes     = "full-nodes"
	flagTestnetOutput = "output"
	flagTestnetFormat = "format"
	flagBasePort      = "base-port"
	flagTimeoutCommit = "timeout-commit"
	flagHost          = "host"
	flagHosts         = "hosts"
	flagForce         = "force"
	flagSkipExisting  = "skip-existing"

	testnetManifest = "testnet.json"
	// testnetPortStride: node i uses base+10*i … base+10*i+4.
	testnetPortStride = 10
	testnetPower      = 10
	// testnetBalance: each testnet key holds 1,000,000 PTR at genesis.
	testnetBalance = 1_000_000 * ptrUnit
	// testnetSnapshotInterval: every node takes a state-sync snapshot every
	// 50 heights (app.toml [state_sync] snapshot_interval).
	testnetSnapshotInterval = 50
	// testnetIssuerAllowance: the issuer may mint 10,000,000 PTR.
	testnetIssuerAllowance = 10_000_000 * ptrUnit
	// testnetMaxAgeSeconds: a settled round keeps the backing OK for an
	// hour.
	testnetMaxAgeSeconds = 3600
)

// Port offsets within a node's block of testnetPortStride ports.
const (
	portP2P = iota
	portRPC
	portGRPC
	portPrometheus
	portREST // REST/JSON gateway and audit page
)

// hostPorts are the ports of every node when each has its own host
// (--hosts): the defaults of `petrod init`, indexed by the offsets above.
var hostPorts = [...]int{portP2P: 26656, portRPC: 26657, portGRPC: 9090, portPrometheus: 26660, portREST: 1317}

// TestnetOptions are the inputs of `petrod testnet`.
type TestnetOptions struct {
	Validators    int
	FullNodes     int
	Dir           string
	ChainID       string
	BasePort      int
	TimeoutCommit time.Duration
	Host          string
	// Hosts, when set, gives each node (in order) its own host; an entry
	// may name several addresses of a multi-homed host separated by "/"
	// (peers list every one; the first is the node's external address).
	// Every node then listens on all interfaces at the default ports.
	Hosts []string
	Force bool
	// SkipExisting: when Dir already holds a network (testnet.json), keep
	// it and write nothing.
	SkipExisting bool
}

// TestnetManifest is DIR/testnet.json: everything a script or test needs to
// drive the network. Field names are stable.
type TestnetManifest struct {
	ChainID          string        `json:"chain_id"`
	Nodes            []TestnetNode `json:"nodes"`
	Keys             []TestnetKey  `json:"keys"`
	CouncilThreshold uint32        `json:"council_threshold"`
}

// TestnetNode is one node of the manifest. Operator is empty for full nodes.
type TestnetNode struct {
	Name             string `json:"name"`
	Home             string `json:"home"`
	Validator        bool   `json:"validator"`
	NodeID           string `json:"node_id"`
	ConsensusPubKey  string `json:"consensus_pubkey"`
	ConsensusAddress string `json:"consensus_address"`
	Operator         string `json:"operator"`
	P2P              string `json:"p2p"`
	RPC              string `json:"rpc"`
	GRPC             string `json:"grpc"`
	Prometheus       string `json:"prometheus"`
}

// TestnetKey is a key of DIR/keyring-test.
type TestnetKey struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

func newTestnetCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "testnet --validators N --output DIR",
		Short: "Lay out a complete multi-node network on one host (loopback ports)",
		Long: `Lay out a network of N validators and M full nodes in DIR, ready to start:

  DIR/node0 … DIR/node{N-1}       validator homes
  DIR/node{N} … DIR/node{N+M-1}   full-node homes
  DIR/keyring-test/               UNENCRYPTED test keyring: val0…val{N-1} (the
                                  validators' operators and the council),
                                  oracle0-2, issuer, compliance, pauser
  DIR/testnet.json                manifest: nodes, ports, keys (stable JSON)

Every home holds the same genesis.json, so ` + "`petrod start --home DIR/nodeI`" + ` needs no
flags. Node i listens on --host at base+10i (P2P), base+10i+1 (CometBFT RPC),
base+10i+2 (gRPC), base+10i+3 (Prometheus: CometBFT's and petro's metrics
at /metrics), base+10i+4 (REST/JSON + audit page).
Each node has every other node as a persistent peer. The council is the N
operator keys with threshold N/2+1; every key holds 1,000,000 PTR. The
reserve has three lots (ayacucho-1, carabobo-2, junin-4, valid a year), quorum
2 and a max age of 1 h: once oracle0-2 settle a round (` + "`petrod tx reserve attest`" + `)
the backing is OK and the issuer can issue.

With --hosts h0,h1,… each node has its own host (a container, a machine):
node i is dialled at hi, listens on all interfaces at the default ports
(P2P 26656, RPC 26657, gRPC 9090, Prometheus 26660, REST 1317) and --host and
--base-port do not apply. An entry "a/b" gives a host with two addresses
(on two networks): its peers list both.

The directory is --output; the summary's format is -o/--format text|json
(json prints the manifest). --skip-existing leaves a network already in
--output as it is (for a container that generates the network on first
start).`,
		Example: `  petrod testnet --validators 4 --output ./tn
  petrod testnet --validators 4 --full-nodes 1 --output ./tn --base-port 46600 --timeout-commit 300ms -o json
  petrod start --home ./tn/node0`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, _ := cmd.Flags().GetString(flagTestnetFormat)
			if format != outputText && format != outputJSON {
				return &usageError{fmt.Sprintf("-o/--%s %q: want text or json (the directory is --%s)", flagTestnetFormat, format, flagTestnetOutput)}
			}
			o := TestnetOptions{}
			o.Validators, _ = cmd.Flags().GetInt(flagValidators)
			o.FullNodes, _ = cmd.Flags().GetInt(flagFullNodes)
			o.Dir, _ = cmd.Flags().GetString(flagTestnetOutput)
			o.ChainID, _ = cmd.Flags().GetString(flagChainID)
			o.BasePort, _ = cmd.Flags().GetInt(flagBasePort)
			o.TimeoutCommit, _ = cmd.Flags().GetDuration(flagTimeoutCommit)
			o.Host, _ = cmd.Flags().GetString(flagHost)
			o.Force, _ = cmd.Flags().GetBool(flagForce)
			o.Hosts, _ = cmd.Flags().GetStringSlice(flagHosts)
			o.SkipExisting, _ = cmd.Flags().GetBool(flagSkipExisting)
			if o.SkipExisting && fileExists(filepath.Join(o.Dir, testnetManifest)) {
				fmt.Fprintf(cmd.OutOrStdout(), "%s already holds a network; kept as it is\n", o.Dir)
				return nil
			}
			m, err := MakeTestnet(o)
			if err != nil {
				return err
			}
			if format == outputJSON {
				bz, err := json.MarshalIndent(m, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", bz)
				return err
			}
			printTestnetSummary(cmd.OutOrStdout(), o, m)
			return nil
		},
	}
	f := cmd.Flags()
	f.Int(flagValidators, 0, "number of validators (required, ≥ 1)")
	f.Int(flagFullNodes, 0, "number of non-validating full nodes")
	f.String(flagTestnetOutput, "", "directory to create the network in (required)")
	f.StringP(flagTestnetFormat, "o", outputText, "summary format: text|json")
	f.String(flagChainID, "petro-testnet-1", "chain id")
	f.Int(flagBasePort, 26600, "first port; node i uses base+10i … base+10i+4")
	f.Duration(flagTimeoutCommit, time.Second, "consensus timeout_commit (time between blocks)")
	f.String(flagHost, "127.0.0.1", "IP address or host name every node listens on and is dialled at")
	f.StringSlice(flagHosts, nil, "one host per node (validators first), each node on its own host at the default ports; \"a/b\" for a host with two addresses")
	f.Bool(flagForce, false, "replace an earlier network in a non-empty --output (removes its node*/, keyring-test/ and testnet.json)")
	f.Bool(flagSkipExisting, false, "do nothing if --output already holds a network (testnet.json)")
	return cmd
}

// validate checks the options; every problem is a usageError.
func (o *TestnetOptions) validate() error {
	switch {
	case o.Validators < 1:
		return &usageError{fmt.Sprintf("--%s must be at least 1", flagValidators)}
	case o.Validators > int(authoritytypes.DefaultParams().MaxValidators):
		return &usageError{fmt.Sprintf("--%s %d: at most %d (x/authority max_validators)", flagValidators, o.Validators, authoritytypes.DefaultParams().MaxValidators)}
	case o.FullNodes < 0:
		return &usageError{fmt.Sprintf("--%s must not be negative", flagFullNodes)}
	case o.Dir == "":
		return &usageError{fmt.Sprintf("--%s DIR is required", flagTestnetOutput)}
	case o.ChainID == "":
		return &usageError{fmt.Sprintf("--%s must not be empty", flagChainID)}
	case len(o.ChainID) > cmttypes.MaxChainIDLen:
		return &usageError{fmt.Sprintf("--%s longer than %d characters", flagChainID, cmttypes.MaxChainIDLen)}
	case o.TimeoutCommit <= 0:
		return &usageError{fmt.Sprintf("--%s must be positive", flagTimeoutCommit)}
	case o.BasePort < 1 || o.BasePort > 65535:
		return &usageError{fmt.Sprintf("--%s %d: want 1..65535", flagBasePort, o.BasePort)}
	}
	nodes := o.Validators + o.FullNodes
	if last := o.BasePort + testnetPortStride*(nodes-1) + portREST; last > 65535 {
		return &usageError{fmt.Sprintf("--%s %d: %d nodes need ports up to %d, above 65535", flagBasePort, o.BasePort, nodes, last)}
	}
	if len(o.Hosts) > 0 {
		if len(o.Hosts) != nodes {
			return &usageError{fmt.Sprintf("--%s: %d hosts for %d nodes; give one per node", flagHosts, len(o.Hosts), nodes)}
		}
		for _, h := range o.Hosts {
			for _, a := range strings.Split(h, "/") {
				if err := validateTestnetHost(a); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := validateTestnetHost(o.Host); err != nil {
		return err
	}
	return nil
}

var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$`)

// validateTestnetHost accepts an IP or a host name that peers can dial: not
// empty, no port, not an unspecified address (0.0.0.0, ::).
func validateTestnetHost(h string) error {
	if ip := net.ParseIP(h); ip != nil {
		if ip.IsUnspecified() {
			return &usageError{fmt.Sprintf("--%s %s: nodes dial each other at this address; give one they can reach, e.g. 127.0.0.1", flagHost, h)}
		}
		return nil
	}
	if !hostnameRE.MatchString(h) || len(h) > 253 {
		return &usageError{fmt.Sprintf("--%s %q: want an IP address or a host name (no port)", flagHost, h)}
	}
	return nil
}

// MakeTestnet writes the network described by o and returns its manifest.
func MakeTestnet(o TestnetOptions) (*TestnetManifest, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	if err := prepareTestnetDir(dir, o.Force); err != nil {
		return nil, err
	}
	m, err := writeTestnet(dir, o)
	if err != nil {
		// Leave no half-made network behind (only what we create is removed).
		_ = removeTestnetEntries(dir)
		return nil, err
	}
	return m, nil
}

var nodeDirRE = regexp.MustCompile(`^node[0-9]+$`)

// prepareTestnetDir creates dir, or checks that it is empty; with force, it
// removes the entries an earlier `petrod testnet` made and keeps the rest
// (logs, notes), so a mistyped --output cannot wipe unrelated files.
func prepareTestnetDir(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return os.MkdirAll(dir, 0o755)
	case err != nil:
		return err
	case len(entries) == 0:
		return nil
	case !force:
		return &usageError{fmt.Sprintf("--%s %s is not empty; pass --%s to replace the network in it", flagTestnetOutput, dir, flagForce)}
	}
	return removeTestnetEntries(dir)
}

func removeTestnetEntries(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		n := e.Name()
		if nodeDirRE.MatchString(n) || n == "keyring-test" || n == testnetManifest {
			if err := os.RemoveAll(filepath.Join(dir, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// testnetNodeState is what writeTestnet keeps per node between its steps.
type testnetNodeState struct {
	cfg     *cmtcfg.Config
	pv      *privval.FilePV
	nodeKey *p2p.NodeKey
	out     TestnetNode
}

func writeTestnet(dir string, o TestnetOptions) (*TestnetManifest, error) {
	n := o.Validators + o.FullNodes
	// addrs(i) are node i's host addresses; port(i, off) where it is
	// dialled, listen(i, off) where it listens.
	addrs := func(int) []string { return []string{o.Host} }
	portNum := func(i, off int) int { return o.BasePort + testnetPortStride*i + off }
	listenHost := func(i int) string { return o.Host }
	if len(o.Hosts) > 0 {
		addrs = func(i int) []string { return strings.Split(o.Hosts[i], "/") }
		portNum = func(_, off int) int { return hostPorts[off] }
		listenHost = func(int) string { return "0.0.0.0" }
	}
	port := func(i, off int) string { return net.JoinHostPort(addrs(i)[0], strconv.Itoa(portNum(i, off))) }
	listen := func(i, off int) string { return net.JoinHostPort(listenHost(i), strconv.Itoa(portNum(i, off))) }

	// 1. Homes and node/validator keys.
	nodes := make([]*testnetNodeState, n)
	for i := range nodes {
		name := fmt.Sprintf("node%d", i)
		home := filepath.Join(dir, name)
		c := DefaultCometConfig(home, name)
		c.P2P.ListenAddress = "tcp://" + listen(i, portP2P)
		if len(o.Hosts) > 0 {
			c.P2P.ExternalAddress = port(i, portP2P)
		}
		c.RPC.ListenAddress = "tcp://" + listen(i, portRPC)
		c.Instrumentation.Prometheus = true
		c.Instrumentation.PrometheusListenAddr = listen(i, portPrometheus)
		c.Consensus.TimeoutCommit = o.TimeoutCommit
		// A dead proposer costs a whole propose timeout: keep it in
		// proportion to fast blocks (CometBFT's default is 3 s).
		if o.TimeoutCommit < time.Second {
			c.Consensus.TimeoutPropose = time.Second
		}
		c.DBBackend = "pebbledb"
		c.FilterPeers = true
		c.P2P.AllowDuplicateIP = true
		c.P2P.AddrBookStrict = false
		c.P2P.PexReactor = true
		for _, d := range []string{filepath.Join(home, "config"), filepath.Join(home, "data")} {
			if err := os.MkdirAll(d, 0o700); err != nil {
				return nil, err
			}
		}
		pv := privval.GenFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile())
		pv.Save()
		nk, err := p2p.LoadOrGenNodeKey(c.NodeKeyFile())
		if err != nil {
			return nil, fmt.Errorf("%s: node key: %w", name, err)
		}
		appCfg := DefaultAppConfig()
		appCfg.GRPC.Address = listen(i, portGRPC)
		appCfg.API.Address = listen(i, portREST)
		// Every node snapshots, so a node added later can join by state sync.
		appCfg.StateSync.SnapshotInterval = testnetSnapshotInterval
		if err := WriteAppConfig(home, appCfg); err != nil {
			return nil, err
		}
		pub := pv.Key.PubKey
		nodes[i] = &testnetNodeState{cfg: c, pv: pv, nodeKey: nk, out: TestnetNode{
			Name:             name,
			Home:             home,
			Validator:        i < o.Validators,
			NodeID:           string(nk.ID()),
			ConsensusPubKey:  base64.StdEncoding.EncodeToString(pub.Bytes()),
			ConsensusAddress: fmt.Sprintf("%X", pub.Address()),
			P2P:              port(i, portP2P),
			RPC:              "http://" + port(i, portRPC),
			GRPC:             port(i, portGRPC),
			Prometheus:       port(i, portPrometheus),
		}}
	}

	// 2. config.toml, now that every node id is known.
	for i, s := range nodes {
		peers := make([]string, 0, n-1)
		for j, other := range nodes {
			if j == i {
				continue
			}
			for _, a := range addrs(j) {
				peers = append(peers, p2p.IDAddressString(other.nodeKey.ID(), net.JoinHostPort(a, strconv.Itoa(portNum(j, portP2P)))))
			}
		}
		s.cfg.P2P.PersistentPeers = strings.Join(peers, ",")
		if err := s.cfg.ValidateBasic(); err != nil {
			return nil, fmt.Errorf("%s: config: %w", s.out.Name, err)
		}
		cmtcfg.WriteConfigFile(filepath.Join(s.cfg.RootDir, "config", "config.toml"), s.cfg)
	}

	// 3. Keys.
	kr, err := keyring.New(keyring.BackendTest, dir, nil)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, o.Validators+6)
	for i := 0; i < o.Validators; i++ {
		names = append(names, fmt.Sprintf("val%d", i))
	}
	names = append(names, "oracle0", "oracle1", "oracle2", "issuer", "compliance", "pauser")
	keys := make([]TestnetKey, len(names))
	addrOf := map[string]string{}
	for i, name := range names {
		rec, _, err := kr.Add(name)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", name, err)
		}
		keys[i] = TestnetKey{Name: name, Address: rec.Address.String()}
		addrOf[name] = rec.Address.String()
	}

	// 4. Genesis.
	gs := app.DefaultGenesis()
	threshold := uint32(o.Validators/2 + 1)
	council := &authoritytypes.Council{Threshold: threshold}
	var genVals []cmttypes.GenesisValidator
	for i, s := range nodes {
		if !s.out.Validator {
			gs.Authority.Peers = append(gs.Authority.Peers, &authoritytypes.AllowedPeer{NodeId: s.out.NodeID, Note: "full node " + s.out.Name})
			continue
		}
		op := addrOf[fmt.Sprintf("val%d", i)]
		s.out.Operator = op
		council.Members = append(council.Members, op)
		pub := s.pv.Key.PubKey
		gs.Authority.Validators = append(gs.Authority.Validators, &authoritytypes.Validator{
			PubKey: pub.Bytes(), Power: testnetPower, Operator: op, NodeId: s.out.NodeID, Moniker: s.out.Name,
			Address: s.out.ConsensusAddress,
		})
		genVals = append(genVals, cmttypes.GenesisValidator{Address: pub.Address(), PubKey: pub, Power: testnetPower, Name: s.out.Name})
	}
	council.Normalize()
	gs.Authority.Council = council
	grant := func(name string, role authoritytypes.Role, allowance uint64) {
		gs.Authority.Roles = append(gs.Authority.Roles, &authoritytypes.RoleGrant{Address: addrOf[name], Role: role, Allowance: allowance})
	}
	grant("oracle0", authoritytypes.Role_ROLE_ORACLE, 0)
	grant("oracle1", authoritytypes.Role_ROLE_ORACLE, 0)
	grant("oracle2", authoritytypes.Role_ROLE_ORACLE, 0)
	grant("issuer", authoritytypes.Role_ROLE_ISSUER, testnetIssuerAllowance)
	grant("compliance", authoritytypes.Role_ROLE_COMPLIANCE, 0)
	grant("pauser", authoritytypes.Role_ROLE_PAUSER, 0)
	for _, k := range keys {
		gs.Token.Balances = append(gs.Token.Balances, &tokentypes.Balance{Address: k.Address, Amount: testnetBalance})
	}
	genesisTime := time.Now().UTC().Truncate(time.Millisecond)
	// The reserve: the dev chain's three lots (valid a year), quorum 2 of
	// the 3 oracles, an hour's max age; issuance opens once a round settles.
	rp := reservetypes.DefaultParams()
	rp.Quorum = 2
	rp.MaxAgeSeconds = testnetMaxAgeSeconds
	gs.Reserve.Params = rp
	gs.Reserve.Lots = devReserveLots(genesisTime)
	appState, err := validatedAppState(gs)
	if err != nil {
		return nil, err
	}
	doc := &cmttypes.GenesisDoc{
		ChainID:         o.ChainID,
		GenesisTime:     genesisTime,
		ConsensusParams: cmttypes.DefaultConsensusParams(),
		Validators:      genVals,
		AppState:        appState,
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	for _, s := range nodes {
		if err := doc.SaveAs(s.cfg.GenesisFile()); err != nil {
			return nil, err
		}
	}

	// 5. Manifest.
	m := &TestnetManifest{ChainID: o.ChainID, Keys: keys, CouncilThreshold: threshold}
	for _, s := range nodes {
		m.Nodes = append(m.Nodes, s.out)
	}
	bz, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, testnetManifest), append(bz, '\n'), 0o644); err != nil {
		return nil, err
	}
	return m, nil
}

// validatedAppState encodes gs and checks that the bytes read back as the
// app will read them at InitChain, and that every module accepts them.
func validatedAppState(gs *app.GenesisState) (json.RawMessage, error) {
	bz, err := json.Marshal(gs)
	if err != nil {
		return nil, err
	}
	var back app.GenesisState
	if err := json.Unmarshal(bz, &back); err != nil {
		return nil, fmt.Errorf("genesis app_state does not read back: %w", err)
	}
	// Every module's genesis that can check itself (new modules included).
	v := reflect.ValueOf(&back).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() != reflect.Pointer || f.IsNil() {
			continue
		}
		if val, ok := f.Interface().(interface{ Validate() error }); ok {
			if err := val.Validate(); err != nil {
				return nil, fmt.Errorf("genesis app_state.%s: %w", strings.ToLower(v.Type().Field(i).Name), err)
			}
		}
	}
	return bz, nil
}

func printTestnetSummary(w io.Writer, o TestnetOptions, m *TestnetManifest) {
	dir := filepath.Dir(m.Nodes[0].Home)
	fmt.Fprintf(w, "Created %s and %s for chain %s in %s\n\n", plural(o.Validators, "validator"), plural(o.FullNodes, "full node"), m.ChainID, dir)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tROLE\tP2P\tRPC\tGRPC\tNODE ID")
	for _, n := range m.Nodes {
		role := "full node"
		if n.Validator {
			role = "validator"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, role, n.P2P, n.RPC, n.GRPC, n.NodeID)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nKeys (UNENCRYPTED test keyring %s), each funded with %s:\n", filepath.Join(dir, "keyring-test"), formatPTR(testnetBalance))
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, k := range m.Keys {
		fmt.Fprintf(tw, "  %s\t%s\n", k.Name, k.Address)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nCouncil: val0…val%d, threshold %d. Roles: oracle0-2 oracle, issuer (allowance %s), compliance, pauser.\n",
		o.Validators-1, m.CouncilThreshold, formatPTR(testnetIssuerAllowance))
	fmt.Fprintf(w, "Reserve: lots %s; quorum 2 of the 3 oracles; max age %s. The backing is STALE until\n",
		strings.Join(devLotIDs(), ", "), secondsString(testnetMaxAgeSeconds))
	fmt.Fprintln(w, "a round settles: two oracles attest (below), then the issuer can issue.")
	fmt.Fprintln(w, "\nStart each node (in its own terminal, or in the background):")
	for _, n := range m.Nodes {
		fmt.Fprintf(w, "  petrod start --home %s > %s.log 2>&1 &\n", n.Home, n.Home)
	}
	fmt.Fprintln(w, "\nThen")
	fmt.Fprintf(w, "  petrod status --node-rpc %s\n", m.Nodes[0].RPC)
	fmt.Fprintf(w, "  petrod query authority validators --node %s\n", m.Nodes[0].GRPC)
	fmt.Fprintf(w, "  petrod tx token send val0 %s 10ptr --home %s --keyring-backend test --node %s\n", m.Keys[len(m.Keys)-1].Address, dir, m.Nodes[0].GRPC)
	var lotArgs []string
	for _, l := range devSimLots {
		lotArgs = append(lotArgs, fmt.Sprintf("--lot %s=%d", l.id, l.barrels))
	}
	for _, oracle := range []string{"oracle0", "oracle1"} {
		fmt.Fprintf(w, "  petrod tx reserve attest %s --price 70 --evidence %s --from %s --home %s --keyring-backend test --node %s\n",
			strings.Join(lotArgs, " "), strings.Repeat("ab", 32), oracle, dir, m.Nodes[0].GRPC)
	}
	fmt.Fprintf(w, "  petrod query reserve status --node %s\n", m.Nodes[0].GRPC)
	fmt.Fprintf(w, "\nManifest: %s\n", filepath.Join(dir, testnetManifest))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
