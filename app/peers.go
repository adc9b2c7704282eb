package app

import (
	"strings"

	"github.com/petro-network/petro/internal/store"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

// CometBFT's peer-filter query paths (config.toml filter_peers = true).
const (
	pathFilterID   = "/p2p/filter/id/"
	pathFilterAddr = "/p2p/filter/addr/"
)

// PeerAllowed reports whether node id may connect: it belongs to a
// validator or is on the council's allowlist. It reads an in-memory copy
// of committed state (and of genesis before the first commit), so it is
// cheap and safe from any goroutine.
func (a *App) PeerAllowed(id string) bool {
	a.peersMu.RLock()
	defer a.peersMu.RUnlock()
	return a.peers[id]
}

// SetPeersChangedListener registers f, called after a Commit that changed
// who may connect, so the node can drop peers that no longer may.
func (a *App) SetPeersChangedListener(f func()) {
	a.peersMu.Lock()
	defer a.peersMu.Unlock()
	a.onPeersChanged = f
}

func (a *App) loadPeers(kv store.KVStore) error {
	ids, err := a.authority.PeerAllowlist(kv)
	if err != nil {
		return err
	}
	a.peersMu.Lock()
	a.peers = ids
	a.peersMu.Unlock()
	return nil
}

// filterPeer answers CometBFT's peer-filter queries. Node IDs are checked
// against the allowlist; addresses are not filtered, because a node's
// identity is its ID (authenticated by the P2P handshake), not its IP.
func (a *App) filterPeer(path string) error {
	if id, ok := strings.CutPrefix(path, pathFilterID); ok && !a.PeerAllowed(id) {
		return authoritytypes.ErrPeerNotAllowed.Wrap(id)
	}
	return nil // pathFilterAddr: every address passes
}

// reloadPeers rebuilds the allowlist from the latest committed state and
// tells the listener.
func (a *App) reloadPeers() error {
	kv, _, err := a.StateAt(0)
	if err != nil {
		return err
	}
	if err := a.loadPeers(kv); err != nil {
		return err
	}
	a.peersMu.RLock()
	f := a.onPeersChanged
	a.peersMu.RUnlock()
	if f != nil {
		f()
	}
	return nil
}
