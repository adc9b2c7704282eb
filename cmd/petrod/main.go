// Command petrod runs and operates a petro node: init, start, dev, keys,
// tx, query and status. The home layout, flags and ports follow the Cosmos
// SDK and CometBFT conventions.
package main

import (
	"errors"
	"fmt"
	"os"
)

func main() {
	if err := NewRootCmd().Execute(); err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(os.Stderr, "Error:", err)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

// usageError marks errors in the command line itself (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }
