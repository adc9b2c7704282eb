package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

const (
	flagHome     = "home"
	flagOutput   = "output"
	flagLogLevel = "log_level"
	flagLogFmt   = "log_format"
	envHome      = "PETRO_HOME"
)

// DefaultHome is ~/.petro, or $PETRO_HOME when set.
func DefaultHome() string {
	if h := os.Getenv(envHome); h != "" {
		return h
	}
	dir, err := os.UserHomeDir()
	if err != nil {
		return ".petro"
	}
	return filepath.Join(dir, ".petro")
}

// NewRootCmd builds the whole command tree; no globals, so tests can build
// as many as they like.
func NewRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "petrod",
		Short:         "petro: a permissioned chain for an oil-backed token",
		SilenceUsage:  true,
		SilenceErrors: true,
		// Before every command: resolve --home, then fill the flags the
		// user did not give from the environment and client.toml.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := resolveHomeFlag(cmd); err != nil {
				return err
			}
			return applyClientConfig(cmd)
		},
	}
	root.PersistentFlags().String(flagHome, DefaultHome(), "node and keyring home directory")
	// An unknown flag or a bad flag value is a usage error (exit 2)
	// everywhere; groups refine this in refuseUnknownSubcommands.
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err.Error()} })
	root.AddCommand(
		newInitCmd(),
		newStartCmd(),
		newVersionCmd(),
		newDevCmd(),
		newKeysCmd(),
		newTxCmd(),
		newQueryCmd(),
		newStatusCmd(),
		newTestnetCmd(),
		newAuditCmd(),
		newBenchCmd(),
	)
	for _, c := range extraCommands {
		root.AddCommand(c())
	}
	refuseUnknownSubcommands(root)
	return root
}

// extraCommands lets each command-group file register itself (init funcs).
var extraCommands []func() *cobra.Command

func homeFlag(cmd *cobra.Command) string {
	h, _ := cmd.Flags().GetString(flagHome)
	return h
}

// resolveHomeFlag expands a leading "~/" in --home (or $PETRO_HOME), which a
// shell leaves alone when it is quoted (D="--home ~/.petro-dev …") or
// follows "=". Any other home starting with "~" is refused rather than
// creating a directory literally named "~". The flag keeps its Changed
// state.
func resolveHomeFlag(cmd *cobra.Command) error {
	f := cmd.Flags().Lookup(flagHome)
	if f == nil {
		return nil
	}
	h := f.Value.String()
	switch {
	case h == "":
		return &usageError{fmt.Sprintf("--%s must not be empty", flagHome)}
	case h == "~" || strings.HasPrefix(h, "~/") || strings.HasPrefix(h, "~"+string(filepath.Separator)):
		dir, err := os.UserHomeDir()
		if err != nil {
			return &usageError{fmt.Sprintf("--%s %q: cannot expand ~: %v", flagHome, h, err)}
		}
		return f.Value.Set(filepath.Join(dir, h[1:]))
	case strings.HasPrefix(h, "~"):
		return &usageError{fmt.Sprintf(`--%s %q: petrod expands only a leading ~/; write an absolute path or "$HOME/…"`, flagHome, h)}
	}
	return nil
}

// refuseUnknownSubcommands gives every command group (a command with
// subcommands and no action of its own) the Cosmos SDK's behaviour
// (client.ValidateCmd): without arguments it prints its help; with an
// argument that names no subcommand it fails with "unknown command" and
// cobra's suggestions, also when the line goes on with the flags of the
// command meant (`petrod tx token sendd … --from x` reports the command,
// not the flag, which the group does not know).
func refuseUnknownSubcommands(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		refuseUnknownSubcommands(c)
	}
	if !cmd.HasSubCommands() || cmd.Runnable() {
		return
	}
	cmd.Args = cobra.ArbitraryArgs
	cmd.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		// pflag has collected the arguments before the bad flag.
		if args := cmd.Flags().Args(); len(args) > 0 {
			return unknownCommandError(cmd, args[0])
		}
		return &usageError{err.Error()}
	})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		return unknownCommandError(cmd, args[0])
	}
}

// unknownCommandError is cobra's own message for an unknown command.
func unknownCommandError(cmd *cobra.Command, name string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "unknown command %q for %q", name, cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default for the root
	}
	if s := cmd.SuggestionsFor(name); len(s) > 0 && !cmd.DisableSuggestions {
		b.WriteString("\n\nDid you mean this?\n")
		for _, x := range s {
			fmt.Fprintf(&b, "\t%s\n", x)
		}
	} else {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\nRun '%s --help' for usage.", cmd.CommandPath())
	return &usageError{b.String()}
}
