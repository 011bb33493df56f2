package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/spf13/cobra"

	"payroll/payout/clickpaysim"
	"payroll/payout/upload"
)

type sandboxOptions struct {
	Addr    string
	KeyFile string
}

func newSandboxCmd(s *streams, g *globals) *cobra.Command {
	o := &sandboxOptions{}
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the Clickpay simulator as a standalone server",
		Long: `sandbox serves the Clickpay Payouts API simulator on a local address, with
its state in the state directory (so 'payroll status --sandbox' sees the same
batches). It accepts the server key, profile id and account id of
CLICKPAY_SERVER_KEY, CLICKPAY_PROFILE_ID and CLICKPAY_ACCOUNT_ID; unset, they
are ` + clickpaysim.DefaultServerKey + `, ` + clickpaysim.DefaultProfileID + ` and ` + clickpaysim.DefaultAccountID + `.
Point the client at it with CLICKPAY_BASE_URL=http://HOST:PORT.

Sandbox settings: PAYROLL_SANDBOX_SETTLE (how long entries stay Pending after
close, default 3s), PAYROLL_SANDBOX_BALANCE (deposit balance, default
1,000,000,000.00), PAYROLL_SANDBOX_FAIL_IBANS (comma-separated IBANs whose
entries end Failed), PAYROLL_SANDBOX_LATENCY (delay before each answer).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runSandbox(cmd.Context(), s, g, o) },
	}
	cmd.Flags().StringVar(&o.Addr, "addr", "127.0.0.1:8443", "address to listen on (127.0.0.1:0 picks a free port)")
	cmd.Flags().StringVar(&o.KeyFile, "server-key-file", "", "file holding the server key to accept")
	return cmd
}

func runSandbox(ctx context.Context, s *streams, g *globals, o *sandboxOptions) error {
	st, err := g.settings(o.KeyFile)
	if err != nil {
		return err
	}
	cfg, err := sandboxSim()
	if err != nil {
		return err
	}
	cfg.ServerKey, cfg.ProfileID, cfg.AccountID = st.serverKey, st.ProfileID, st.AccountID
	cfg.StateFile = upload.SandboxStateFile(st.StateDir)
	sim, err := clickpaysim.New(cfg)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return usagef("cannot listen on %s: %v", o.Addr, err)
	}
	fmt.Fprintf(s.Out, "listening on http://%s\n", l.Addr())
	in := sim.Config() // with its defaults
	g.say(s, "profile_id %s, account_id %s, state %s", in.ProfileID, in.AccountID, in.StateFile)
	srv := clickpaysim.NewHTTPServer(clickpaysim.WithLatency(sim, sandboxLatency()))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		srv.Close()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		// What it answered, for whoever measures a client against it.
		g.say(s, "calls answered: new %d, add %d, query %d, close %d, search %d",
			sim.Calls("new"), sim.Calls("add"), sim.Calls("query"), sim.Calls("close"), sim.Calls("search"))
		return nil
	}
}
