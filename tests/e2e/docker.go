package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/keyring"
)

// Docker helpers: the image built from the repository with no registry
// (scripts/docker-local.sh), `docker run` on fresh named volumes, and the
// compose network of networks/local/docker-compose.yml under a
// test-unique project. Everything a test creates (containers, networks,
// volumes, the image tag) is removed when it ends. Without a reachable
// daemon the tests skip.

// repoRoot is the repository's root directory.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// docker runs the docker CLI and returns its trimmed stdout.
func docker(args ...string) (string, error) {
	return run(exec.Command("docker", args...))
}

func run(cmd *exec.Cmd) (string, error) {
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s: %v: %s", strings.Join(cmd.Args, " "), err, strings.TrimSpace(errb.String()+"\n"+out.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

var (
	dockerOnce sync.Once
	dockerErr  error
	compose    []string // the Compose command: docker compose, or docker-compose
)

// RequireDocker skips the test, with the reason, when no Docker daemon
// (or no Compose, with needCompose) is reachable, and under -short.
func RequireDocker(t testing.TB, needCompose bool) {
	t.Helper()
	if testing.Short() {
		t.Skip("docker tests are not short")
	}
	dockerOnce.Do(func() {
		if _, err := exec.LookPath("docker"); err != nil {
			dockerErr = fmt.Errorf("no docker CLI in PATH")
			return
		}
		if _, err := docker("version", "--format", "{{.Server.Version}}"); err != nil {
			dockerErr = fmt.Errorf("no Docker daemon reachable: %v", err)
			return
		}
		if _, err := docker("compose", "version"); err == nil {
			compose = []string{"docker", "compose"}
		} else if _, err := run(exec.Command("docker-compose", "version")); err == nil {
			compose = []string{"docker-compose"}
		}
	})
	if dockerErr != nil {
		t.Skipf("skipping: %v", dockerErr)
	}
	if needCompose && compose == nil {
		t.Skip("skipping: neither `docker compose` nor `docker-compose` works")
	}
}

var (
	imageOnce sync.Once
	imageTag  string
	imageErr  error
)

// Image builds the container image from the repository, once per test
// binary, under a test-unique tag that TestMain removes.
func Image(t testing.TB) string {
	t.Helper()
	imageOnce.Do(func() {
		tag := fmt.Sprintf("petro-e2e:%d-%d", os.Getpid(), time.Now().UnixNano())
		cmd := exec.Command("bash", "scripts/docker-local.sh", tag)
		cmd.Dir = repoRoot()
		if _, err := run(cmd); err != nil {
			imageErr = err
			return
		}
		imageTag = tag
	})
	if imageErr != nil {
		t.Fatalf("build image: %v", imageErr)
	}
	return imageTag
}

// removeImage removes the image Image built (TestMain calls it).
func removeImage() {
	if imageTag != "" {
		_, _ = docker("rmi", "-f", imageTag)
	}
}

// uniqueName is a docker-safe name unique to this process and call.
func uniqueName(prefix string) string {
	nameMu.Lock()
	defer nameMu.Unlock()
	nameSeq++
	return fmt.Sprintf("%s%d%d", prefix, os.Getpid(), nameSeq)
}

var (
	nameMu  sync.Mutex
	nameSeq int
)

// containerRunning reports whether docker says the container is running.
func containerRunning(id string) bool {
	out, err := docker("inspect", "-f", "{{.State.Running}}", id)
	return err == nil && out == "true"
}

// Compose is one compose project of networks/local/docker-compose.yml.
type Compose struct {
	t       testing.TB
	Project string
	// Prefixes are the first three octets of the networks' /24s: the
	// compose file's (PETRO_NET) and the side network's.
	Prefixes [2]string
	// Networks are the docker networks every node is on: the compose
	// file's and a side network added by an override, so that any split
	// can be made with docker network disconnect (peers list each node at
	// both addresses; petrod redials every address of a peer it lacks).
	Networks [2]string
	env      []string
	files    []string
	ChainID  string
	Nodes    []*Node
	// Containers[i] is node i's container id.
	Containers []string
	// Dir holds a copy of the network's keyring and manifest.
	Dir     string
	keys    keyring.Keyring
	nodeIDs []string
}

// nodeID is node i's P2P id.
func (c *Compose) nodeID(i int) string { return c.nodeIDs[i] }

// composeNodes are the services of the compose file: 4 validators, 1 full node.
const composeNodes = 5

// StartCompose starts the compose network, with a side network laid over
// it (sideNetwork), under a test-unique project and waits until every node
// has committed a block. Cleanup takes the project down with its volumes
// and networks.
func StartCompose(t testing.TB) *Compose {
	t.Helper()
	img := Image(t)
	c := &Compose{t: t, Project: uniqueName("petroe2e"), Dir: t.TempDir()}
	override := filepath.Join(c.Dir, "side.yml")
	c.files = []string{filepath.Join(repoRoot(), "networks", "local", "docker-compose.yml"), override}
	t.Cleanup(c.down)
	// Two /24s no other network uses: try a few (another test or helper
	// may hold one).
	var err error
	for try := 0; try < 20; try++ {
		x := 20 + (os.Getpid()+try*37)%200
		c.Prefixes = [2]string{fmt.Sprintf("172.30.%d", x), fmt.Sprintf("172.29.%d", x)}
		if err := os.WriteFile(override, []byte(sideNetwork(c.Prefixes)), 0o644); err != nil {
			t.Fatal(err)
		}
		c.env = append(os.Environ(), "PETRO_IMAGE="+img, "PETRO_NET="+c.Prefixes[0],
			"PETRO_RPC_PORT="+strconv.Itoa(FreePort(t)), "PETRO_GRPC_PORT="+strconv.Itoa(FreePort(t)),
			"PETRO_API_PORT="+strconv.Itoa(FreePort(t)), "PETRO_METRICS_PORT="+strconv.Itoa(FreePort(t)))
		if _, err = c.Run("up", "-d"); err == nil {
			break
		}
		if !strings.Contains(err.Error(), "overlaps") {
			t.Fatalf("compose up: %v", err)
		}
		c.down()
	}
	if err != nil {
		t.Fatalf("compose up: %v", err)
	}
	for i := 0; i < composeNodes; i++ {
		id, err := c.Run("ps", "-q", fmt.Sprintf("node%d", i))
		if err != nil || id == "" {
			t.Fatalf("container of node%d: %q %v", i, id, err)
		}
		c.Containers = append(c.Containers, id)
		c.Nodes = append(c.Nodes, &Node{t: t, Home: fmt.Sprintf("%s/node%d", c.Project, i), container: id,
			Host: c.IP(0, i), GRPCPort: 9090, RPCPort: 26657, P2PPort: 26656, APIPort: 1317})
	}
	nets, err := docker("inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", c.Containers[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range strings.Fields(nets) {
		for k, suffix := range []string{"petro", "side"} {
			if strings.HasSuffix(n, "_"+suffix) || strings.HasSuffix(n, "-"+suffix) {
				c.Networks[k] = n
			}
		}
	}
	if c.Networks[0] == "" || c.Networks[1] == "" {
		t.Fatalf("no petro and side networks among %q", nets)
	}
	for i, n := range c.Nodes {
		if _, err := WaitHeight(n, 2, 3*time.Minute); err != nil {
			t.Fatalf("node%d: %v", i, err)
		}
	}
	// The keyring and manifest, for signing and the chain id.
	if _, err := docker("cp", c.Containers[0]+":/home/nonroot/.petro/net/keyring-test", c.Dir); err != nil {
		t.Fatal(err)
	}
	if _, err := docker("cp", c.Containers[0]+":/home/nonroot/.petro/net/testnet.json", c.Dir); err != nil {
		t.Fatal(err)
	}
	bz, err := os.ReadFile(filepath.Join(c.Dir, "testnet.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(bz, &m); err != nil {
		t.Fatal(err)
	}
	c.ChainID = m.ChainID
	for _, n := range m.Nodes {
		c.nodeIDs = append(c.nodeIDs, n.NodeID)
	}
	for _, n := range c.Nodes {
		n.ChainID = m.ChainID
	}
	if c.keys, err = keyring.New(keyring.BackendTest, c.Dir, nil); err != nil {
		t.Fatal(err)
	}
	return c
}

// Run runs a compose command of this project.
func (c *Compose) Run(args ...string) (string, error) {
	full := append([]string{}, compose[1:]...)
	full = append(full, "-p", c.Project)
	for _, f := range c.files {
		full = append(full, "-f", f)
	}
	cmd := exec.Command(compose[0], append(full, args...)...)
	cmd.Env = c.env
	return run(cmd)
}

func (c *Compose) down() {
	if c.t.Failed() {
		if logs, err := c.Run("logs", "--no-color", "--tail", "60"); err == nil {
			c.t.Logf("--- compose logs (tail) ---\n%s", logs)
		}
	}
	if _, err := c.Run("down", "-v", "--remove-orphans", "-t", "30"); err != nil {
		c.t.Logf("compose down: %v", err)
	}
}

// IP is node i's address on network k (0: the compose file's, 1: side).
func (c *Compose) IP(k, i int) string { return fmt.Sprintf("%s.%d", c.Prefixes[k], 10+i) }

// sideNetwork is the override that puts every node on a second network
// too, and has the genesis step list both addresses of each node.
func sideNetwork(p [2]string) string {
	var hosts []string
	var b strings.Builder
	for i := 0; i < composeNodes; i++ {
		hosts = append(hosts, fmt.Sprintf("%s.%d/%s.%d", p[0], 10+i, p[1], 10+i))
	}
	fmt.Fprintf(&b, "services:\n  genesis:\n    command: [testnet, --validators=4, --full-nodes=1, --output=/home/nonroot/.petro/net, \"--hosts=%s\", --skip-existing]\n", strings.Join(hosts, ","))
	for i := 0; i < composeNodes; i++ {
		fmt.Fprintf(&b, "  node%d:\n    networks:\n      side:\n        ipv4_address: %s.%d\n", i, p[1], 10+i)
	}
	fmt.Fprintf(&b, "networks:\n  side:\n    ipam:\n      config:\n        - subnet: %s.0/24\n", p[1])
	return b.String()
}

// Key returns the private key named name from the network's keyring.
func (c *Compose) Key(t testing.TB, name string) *crypto.PrivKey {
	t.Helper()
	k, err := c.keys.PrivKey(name)
	if err != nil {
		t.Fatalf("key %s: %v", name, err)
	}
	return k
}

// Disconnect takes node i off networks ks (all when none are given): docker
// network disconnect.
func (c *Compose) Disconnect(i int, ks ...int) {
	c.t.Helper()
	for _, k := range netsOrAll(ks) {
		if _, err := docker("network", "disconnect", c.Networks[k], c.Containers[i]); err != nil {
			c.t.Fatal(err)
		}
	}
}

// Connect puts node i back on networks ks (all when none are given) at its
// addresses.
func (c *Compose) Connect(i int, ks ...int) {
	c.t.Helper()
	for _, k := range netsOrAll(ks) {
		if _, err := docker("network", "connect", "--ip", c.IP(k, i), c.Networks[k], c.Containers[i]); err != nil {
			c.t.Fatal(err)
		}
	}
}

func netsOrAll(ks []int) []int {
	if len(ks) == 0 {
		return []int{0, 1}
	}
	return ks
}

// Logs is node i's container log.
func (c *Compose) Logs(i int) string { return containerLogs(c.Containers[i]) }

// containerLogs is a container's log, stdout and stderr.
func containerLogs(id string) string {
	out, _ := exec.Command("docker", "logs", id).CombinedOutput()
	return string(out)
}

// ExitCode is the exit code of a stopped container.
func containerExitCode(id string) (int, error) {
	out, err := docker("inspect", "-f", "{{.State.ExitCode}}", id)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(out)
}
