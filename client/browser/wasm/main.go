//go:build js && wasm

// Command wasm is the in-browser verifier of the audit page: built with
//
//	GOOS=js GOARCH=wasm go build -tags force32bit -o petro-audit.wasm ./client/browser/wasm
//
// (force32bit: CometBFT's ed25519 has no wasm field arithmetic of its own),
// it defines petroAudit(configJSON) → Promise<resultJSON>, rejected with
// the reason when any figure, proof or header fails (package browser).
package main

import (
	"context"
	"encoding/json"
	"syscall/js"
	"time"

	"github.com/petro-network/petro/client/browser"
)

func main() {
	js.Global().Set("petroAudit", js.FuncOf(func(_ js.Value, args []js.Value) any {
		cfgJSON := ""
		if len(args) > 0 {
			cfgJSON = args[0].String()
		}
		return js.Global().Get("Promise").New(js.FuncOf(func(_ js.Value, p []js.Value) any {
			resolve, reject := p[0], p[1]
			go func() {
				var cfg browser.Config
				if err := json.Unmarshal([]byte(cfgJSON), &cfg); err != nil {
					reject.Invoke(js.Global().Get("Error").New("config: " + err.Error()))
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				res, err := browser.Audit(ctx, cfg)
				if err != nil {
					reject.Invoke(js.Global().Get("Error").New(err.Error()))
					return
				}
				bz, _ := json.Marshal(res)
				resolve.Invoke(string(bz))
			}()
			return nil
		}))
	}))
	select {}
}
