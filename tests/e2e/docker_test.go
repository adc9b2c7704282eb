package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func TestMain(m *testing.M) {
	code := m.Run()
	removeImage()
	os.Exit(code)
}

// errorLine matches an error-level line of CometBFT's plain log format.
var errorLine = regexp.MustCompile(`(?m)^E\[.*$`)

// TestDockerRunInitStart runs networks/README.md's `docker run` recipe on
// a fresh named volume: init as the image's non-root user, start with the
// ports published on loopback, blocks, gRPC health and REST answer from the
// host, and `docker stop` is a clean shutdown (exit code 0, nothing logged
// at error level).
func TestDockerRunInitStart(t *testing.T) {
	RequireDocker(t, false)
	img := Image(t)
	vol, name := uniqueName("petro-e2e-home-"), uniqueName("petro-e2e-node-")
	// ARRANGE: a fresh named volume.
	if _, err := docker("volume", "create", vol); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- container log ---\n%s", containerLogs(name))
		}
		_, _ = docker("rm", "-f", name)
		_, _ = docker("volume", "rm", "-f", vol)
	})

	// ACT: the recipe.
	out, err := docker("run", "--rm", "-v", vol+":/home/nonroot/.petro", img, "init", "my-node", "--chain-id", "petro-docker-1")
	if err != nil {
		t.Fatalf("init on a fresh volume: %v", err)
	}
	t.Log(out)
	rpcPort, grpcPort, apiPort := FreePort(t), FreePort(t), FreePort(t)
	if _, err := docker("run", "-d", "--name", name, "-v", vol+":/home/nonroot/.petro",
		"-p", fmt.Sprintf("127.0.0.1:%d:26657", rpcPort), "-p", fmt.Sprintf("127.0.0.1:%d:9090", grpcPort),
		"-p", fmt.Sprintf("127.0.0.1:%d:1317", apiPort), img, "start"); err != nil {
		t.Fatal(err)
	}

	// ASSERT: blocks, gRPC health, REST, from the host.
	n := &Node{t: t, Home: name, container: name, RPCPort: rpcPort, GRPCPort: grpcPort, APIPort: apiPort}
	if _, err := WaitHeight(n, 3, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	cc, err := grpc.NewClient(n.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	if err := Eventually(time.Minute, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		hr, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{})
		if err != nil {
			return err
		}
		if hr.Status != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("health %v", hr.Status)
		}
		return nil
	}); err != nil {
		t.Fatalf("gRPC health through the published port: %v", err)
	}
	resp, err := http.Get(n.APIURL() + "/petro")
	if err != nil {
		t.Fatalf("REST through the published port: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /petro: %s", resp.Status)
	}

	if _, err := docker("stop", "-t", "60", name); err != nil {
		t.Fatal(err)
	}
	code, err := containerExitCode(name)
	if err != nil || code != 0 {
		t.Fatalf("exit code after docker stop: %d %v", code, err)
	}
	logs := containerLogs(name)
	if errs := errorLine.FindAllString(logs, -1); len(errs) > 0 {
		t.Errorf("a clean run and shutdown logged at error level:\n%s", errs)
	}
	// The volume keeps the chain: a second start continues it.
	if _, err := docker("start", name); err != nil {
		t.Fatal(err)
	}
	if _, err := WaitHeight(n, 5, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
}

// TestDockerCompose starts networks/local/docker-compose.yml (4 validators
// and a full node, each in its own container and address): every node
// makes or follows blocks with every peer connected; then the partition
// scenarios run on the same network (partition_test.go).
func TestDockerCompose(t *testing.T) {
	RequireDocker(t, true)
	c := StartCompose(t)
	for i, n := range c.Nodes {
		st, err := n.RPC().NetInfo(context.Background())
		if err != nil {
			t.Fatalf("node%d net_info: %v", i, err)
		}
		if st.NPeers < composeNodes-1 {
			t.Errorf("node%d has %d peers, want %d", i, st.NPeers, composeNodes-1)
		}
	}
	h, err := Height(c.Nodes[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WaitHeight(c.Nodes[4], h, 2*time.Minute); err != nil {
		t.Fatalf("full node: %v", err)
	}
	t.Run("Partitions", func(t *testing.T) { testPartitions(t, c) })
	if t.Failed() {
		return
	}
	// Clean shutdown of every node (SIGTERM): exit code 0.
	if _, err := c.Run("stop", "-t", "60"); err != nil {
		t.Fatal(err)
	}
	for i, id := range c.Containers {
		if code, err := containerExitCode(id); err != nil || code != 0 {
			t.Errorf("node%d exit code %d %v", i, code, err)
		}
	}
}
