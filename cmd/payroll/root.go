package main

import (
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// globals are the flags every command has.
type globals struct {
	StateDir   string
	ConfigFile string
	Quiet      bool
	LogFormat  string
	// started is set once a command's own code runs (after cobra checked
	// the command line).
	started bool
}

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func newRootCmd(s *streams, g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "payroll",
		Short: "Pay salaries from a spreadsheet through the Clickpay Payouts API",
		Long: `payroll reads the salary sheet HR already keeps (XLSX, CSV or TSV), checks
every row, and pays the valid ones through the Clickpay Payouts API as one
batch, exactly once.

Exit codes: 0 done; 1 the file has invalid rows, or nothing new to pay
(nothing was sent); 2 usage error, configuration (also a server key or id
Clickpay refused), unreadable file or not confirmed; 3 the upload stopped,
run the same command again to resume; 4 the server's batch
does not match the plan, so it was not closed (needs a human); 5 another
upload or watcher is running; 6 internal error (a bug); 7 another watcher is
watching the folder.`,
		Version:       buildVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	root.SetIn(s.In)
	pf := root.PersistentFlags()
	pf.StringVar(&g.StateDir, "state-dir", "", "where the journal is kept (default $XDG_STATE_HOME/payroll or ~/.local/state/payroll)")
	pf.StringVar(&g.ConfigFile, "config", "", "configuration file (YAML: profile_id, account_id, base_url, server_key_file, state_dir)")
	pf.BoolVarP(&g.Quiet, "quiet", "q", false, "print only results and errors")
	pf.StringVar(&g.LogFormat, "log-format", "text", "log format on stderr: text or json")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		g.started = true
		if g.LogFormat != "text" && g.LogFormat != "json" {
			return usagef("--log-format must be text or json, not %q", g.LogFormat)
		}
		return nil
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		newValidateCmd(s, g),
		newTemplateCmd(s, g),
	)
	addLaterCommands(root, s, g)
	return root
}

// logger returns the logger for people on stderr.
func (g *globals) logger(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	if g.Quiet {
		level = slog.LevelWarn
	}
	opts := &slog.HandlerOptions{Level: level}
	if g.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	// For people: no timestamp, the terminal has one.
	opts.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// say prints a line for people on stderr unless --quiet.
func (g *globals) say(s *streams, format string, a ...any) {
	if !g.Quiet {
		fmt.Fprintf(s.Err, format+"\n", a...)
	}
}
