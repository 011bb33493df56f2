package upload

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"payroll/payout"
	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
	"payroll/payout/journal"
)

// Setup says where a Service keeps its state and which API it pays
// through. Front ends resolve it from their flags, environment and
// configuration files; the Service does the rest.
type Setup struct {
	// StateDir holds the live journal; the sandbox's journal and the
	// simulator's state live in StateDir/sandbox, so that a trial run never
	// writes into the live journal.
	StateDir string
	// Sandbox pays into the built-in simulator instead of Clickpay.
	Sandbox bool
	// Clickpay is the live API's configuration; with Sandbox, the key,
	// profile and account the simulator accepts (defaults when empty).
	Clickpay clickpay.Config
	// Sim configures the simulator (balance, settle time, failing IBANs);
	// its state file is always in the sandbox folder.
	Sim clickpaysim.Config
	// SimLatency delays every simulator answer (demos and tests).
	SimLatency time.Duration
	// JournalOnly opens the journal without an API (history, a dry run
	// without credentials).
	JournalOnly bool
	Log         *slog.Logger
}

// SandboxDir is the sandbox's state folder inside a state directory.
func SandboxDir(stateDir string) string { return filepath.Join(stateDir, "sandbox") }

// SandboxEndpoint is the endpoint name of the built-in simulator.
const SandboxEndpoint = "sandbox"

// Service is the pipeline over one state directory: its journal, the API
// and the endpoint it pays. Every front end (command line, watched folder,
// web page) pays, refreshes and audits through it.
type Service struct {
	*Uploader
	// Endpoint names the API: uploads to one endpoint are never taken for
	// payments on another.
	Endpoint string
	Sandbox  bool
	stop     func()
}

// Open opens a state directory's journal and, unless JournalOnly, the API:
// Clickpay, or with Sandbox a simulator served on a loopback port in this
// process, its state kept in the sandbox folder.
func Open(ctx context.Context, s Setup) (*Service, error) {
	svc := &Service{Sandbox: s.Sandbox, stop: func() {}}
	dir := s.StateDir
	if s.Sandbox {
		dir = SandboxDir(s.StateDir)
		svc.Endpoint = SandboxEndpoint
	} else {
		c := s.Clickpay
		svc.Endpoint = fmt.Sprintf("%s profile %s account %s", strings.TrimRight(first(c.BaseURL, clickpay.DefaultBaseURL), "/"), c.ProfileID, c.AccountID)
	}
	svc.Uploader = &Uploader{Log: s.Log, Sandbox: s.Sandbox}
	if !s.JournalOnly {
		api, stop, err := openAPI(s)
		if err != nil {
			return nil, err
		}
		svc.API, svc.stop = api, stop
	}
	j, err := journal.Open(dir)
	if err != nil {
		svc.stop()
		return nil, err
	}
	svc.Journal = j
	return svc, nil
}

func openAPI(s Setup) (API, func(), error) {
	if !s.Sandbox {
		if s.Clickpay.ServerKey == "" {
			return nil, nil, payout.Errorf(payout.ErrUsage, "no server key: set CLICKPAY_SERVER_KEY or name a file holding it with --server-key-file (or server_key_file in --config); or try it out with --sandbox")
		}
		c, err := clickpay.New(s.Clickpay)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", payout.ErrUsage, err)
		}
		return c.Payouts(), func() {}, nil
	}
	cfg := s.Sim
	cfg.ServerKey = first(s.Clickpay.ServerKey, cfg.ServerKey, clickpaysim.DefaultServerKey)
	cfg.ProfileID = first(s.Clickpay.ProfileID, cfg.ProfileID, clickpaysim.DefaultProfileID)
	cfg.AccountID = first(s.Clickpay.AccountID, cfg.AccountID, clickpaysim.DefaultAccountID)
	cfg.StateFile = SandboxStateFile(s.StateDir)
	sim, err := clickpaysim.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	base, stop, err := clickpaysim.Serve(sim, s.SimLatency)
	if err != nil {
		return nil, nil, err
	}
	cc := s.Clickpay
	cc.BaseURL, cc.ServerKey, cc.ProfileID, cc.AccountID = base, cfg.ServerKey, cfg.ProfileID, cfg.AccountID
	c, err := clickpay.New(cc)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return c.Payouts(), stop, nil
}

// SandboxStateFile is the simulator's state file inside a state directory.
func SandboxStateFile(stateDir string) string {
	return filepath.Join(SandboxDir(stateDir), "sandbox.json")
}

// Close closes the journal and stops an in-process simulator.
func (s *Service) Close() {
	s.Journal.Close()
	s.stop()
}

// Which says which journal the service keeps, for people.
func (s *Service) Which() string {
	if s.Sandbox {
		return "sandbox journal " + s.Journal.Path()
	}
	return "journal " + s.Journal.Path()
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
