package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"log/slog"
	"payroll/payout"
	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
	"payroll/payout/journal"
	"payroll/payout/upload"
)

// configFile is the --config file. It names the file holding the server key
// but never holds the key itself.
type configFile struct {
	ProfileID     string `yaml:"profile_id"`
	AccountID     string `yaml:"account_id"`
	BaseURL       string `yaml:"base_url"`
	ServerKeyFile string `yaml:"server_key_file"`
	StateDir      string `yaml:"state_dir"`
	// Timeout of one HTTP call, e.g. "60s".
	Timeout string `yaml:"timeout"`
	// Paths override the API's call paths (PayTabs names two differently).
	Paths struct {
		New         string `yaml:"new"`
		Add         string `yaml:"add"`
		Close       string `yaml:"close"`
		Query       string `yaml:"query"`
		QueryEntry  string `yaml:"query_entry"`
		QueryStatus string `yaml:"query_status"`
		Search      string `yaml:"search"`
	} `yaml:"paths"`
}

// settings are the resolved configuration: flags over environment over the
// config file over defaults.
type settings struct {
	StateDir  string
	ProfileID string
	AccountID string
	BaseURL   string
	Timeout   time.Duration
	Paths     clickpay.Paths
	serverKey string // secret: never printed
	keyFile   string
}

func (g *globals) settings(keyFileFlag string) (*settings, error) {
	var cf configFile
	if g.ConfigFile != "" {
		b, err := readPrivate(g.ConfigFile, "config file "+g.ConfigFile)
		if err != nil {
			return nil, err
		}
		var keys map[string]any
		if yaml.Unmarshal(b, &keys) == nil {
			if _, ok := keys["server_key"]; ok {
				return nil, usagef("config file %s: it must not hold the server key; put the key in a file readable only by you and name that file with server_key_file", g.ConfigFile)
			}
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&cf); err != nil {
			msg := strings.NewReplacer("yaml: unmarshal errors:\n  ", "", " in type main.configFile", "").Replace(err.Error())
			return nil, usagef("config file %s: %s (keys: profile_id, account_id, base_url, server_key_file, state_dir, timeout, paths)", g.ConfigFile, msg)
		}
	}
	var timeout time.Duration
	if cf.Timeout != "" {
		var err error
		if timeout, err = time.ParseDuration(cf.Timeout); err != nil || timeout <= 0 {
			return nil, usagef("config file %s: timeout %q is not a duration like 60s", g.ConfigFile, cf.Timeout)
		}
	}
	s := &settings{
		StateDir:  first(g.StateDir, os.Getenv("PAYROLL_STATE_DIR"), cf.StateDir),
		ProfileID: first(os.Getenv("CLICKPAY_PROFILE_ID"), cf.ProfileID),
		AccountID: first(os.Getenv("CLICKPAY_ACCOUNT_ID"), cf.AccountID),
		BaseURL:   first(os.Getenv("CLICKPAY_BASE_URL"), cf.BaseURL, clickpay.DefaultBaseURL),
		keyFile:   first(keyFileFlag, cf.ServerKeyFile),
		Timeout:   timeout,
		Paths: clickpay.Paths{New: cf.Paths.New, Add: cf.Paths.Add, Close: cf.Paths.Close, Query: cf.Paths.Query,
			QueryEntry: cf.Paths.QueryEntry, QueryStatus: cf.Paths.QueryStatus, Search: cf.Paths.Search},
	}
	if s.StateDir == "" {
		d, err := journal.DefaultDir()
		if err != nil {
			return nil, usageError{err}
		}
		s.StateDir = d
	}
	s.serverKey = os.Getenv("CLICKPAY_SERVER_KEY")
	if s.keyFile != "" && keyFileFlag != "" || s.serverKey == "" && s.keyFile != "" {
		b, err := readPrivate(s.keyFile, "")
		if err != nil {
			return nil, err
		}
		s.serverKey = strings.TrimSpace(string(b))
		if s.serverKey == "" {
			return nil, usagef("the server key file %s is empty; put the Clickpay server key in it", s.keyFile)
		}
	}
	return s, nil
}

// readPrivate reads a file that only its owner may read: a server key
// file, or the config file that names one. what names it in messages; ""
// is a server key file, whose name is never printed while the file cannot
// be opened (the key itself may have been given where its path belongs).
func readPrivate(path, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if what == "" {
			return nil, usagef("the server key file named by --server-key-file (or server_key_file in --config) cannot be opened: %v. The name is not shown, in case it is the key itself: --server-key-file takes the path of a file holding the key; or set CLICKPAY_SERVER_KEY", err)
		}
		return nil, usagef("%s cannot be opened: %v", what, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, usagef("%s: %v", path, err)
	}
	if what == "" {
		what = "the server key file " + path
	}
	if fi.IsDir() {
		return nil, usagef("%s is a folder, not a file", what)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, usagef("%s can be read by others (mode %04o); make it yours alone with: chmod 600 %s", what, fi.Mode().Perm(), path)
	}
	return io.ReadAll(io.LimitReader(f, 1<<20))
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// sandboxSim is the simulator's configuration for --sandbox and `payroll
// sandbox`: PAYROLL_SANDBOX_* settings for demos and tests over defaults.
func sandboxSim() (clickpaysim.Config, error) {
	cfg := clickpaysim.Config{SettleAfter: 3 * time.Second}
	if v := os.Getenv("PAYROLL_SANDBOX_SETTLE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return cfg, usagef("PAYROLL_SANDBOX_SETTLE: %v (e.g. 3s)", err)
		}
		cfg.SettleAfter = d
	}
	if v := os.Getenv("PAYROLL_SANDBOX_BALANCE"); v != "" {
		a, err := payout.ParseDecimal(v)
		if err != nil || a <= 0 {
			return cfg, usagef("PAYROLL_SANDBOX_BALANCE must be an amount like 50000.00, not %q", v)
		}
		cfg.Balance = a
	}
	if v := os.Getenv("PAYROLL_SANDBOX_FAIL_IBANS"); v != "" {
		cfg.Fail = map[string]string{}
		for _, iban := range strings.Split(v, ",") {
			cfg.Fail[payout.NormalizeIBAN(iban)] = "Beneficiary account is closed (sandbox)"
		}
	}
	return cfg, nil
}

// sandboxLatency is PAYROLL_SANDBOX_LATENCY: a delay before every sandbox
// answer, so that tests can interrupt an upload between calls.
func sandboxLatency() time.Duration {
	d, _ := time.ParseDuration(os.Getenv("PAYROLL_SANDBOX_LATENCY"))
	return d
}

// setup is what the library needs to open the pipeline: the state
// directory and the API (Clickpay's, or the sandbox's).
func (s *settings) setup(sandbox, journalOnly bool, log *slog.Logger) (upload.Setup, error) {
	st := upload.Setup{StateDir: s.StateDir, Sandbox: sandbox, JournalOnly: journalOnly, Log: log,
		Clickpay: clickpay.Config{BaseURL: s.BaseURL, ServerKey: s.serverKey, ProfileID: s.ProfileID, AccountID: s.AccountID,
			Timeout: s.Timeout, Paths: s.Paths}}
	if sandbox {
		sim, err := sandboxSim()
		if err != nil {
			return st, err
		}
		st.Sim, st.SimLatency = sim, sandboxLatency()
	}
	return st, nil
}

// open resolves the settings and opens the pipeline: the journal and,
// unless journalOnly, the API (the sandbox's when sandbox is set).
func (g *globals) open(ctx context.Context, s *streams, keyFile string, sandbox, journalOnly bool) (*upload.Service, error) {
	st, err := g.settings(keyFile)
	if err != nil {
		return nil, err
	}
	setup, err := st.setup(sandbox, journalOnly, g.logger(s.Err))
	if err != nil {
		return nil, err
	}
	return upload.Open(ctx, setup)
}

// printJSON writes v as indented JSON on stdout.
func printJSON(s *streams, v any) error {
	enc := json.NewEncoder(s.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
