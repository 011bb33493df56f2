package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"payroll/payout"
	"payroll/payout/upload"
	"payroll/payout/watch"
)

type watchOptions struct {
	Dir      string
	Folders  watch.Folders
	Settle   time.Duration
	Poll     time.Duration
	Refresh  time.Duration
	MaxTotal string
	MaxRows  int
	Approve  bool
	Period   string
	PageSize int
	Sandbox  bool
	KeyFile  string
	Lang     string
}

func newWatchCmd(s *streams, g *globals) *cobra.Command {
	o := &watchOptions{}
	cmd := &cobra.Command{
		Use:   "watch DIR",
		Short: "Pay the salary sheets dropped into a folder, as a service",
		Long: `watch pays the salary sheets dropped into DIR/inbox, unattended, exactly as
'payroll upload' pays them: the same checks, the same journal, the same rule
of one payment per person and pay period.

A file is taken once its size and modification time have not changed for
--settle (temporary and lock files are never taken). It is moved to
processing/, checked and paid, then filed:
  done/      paid, with its results sheet (refreshed until every transfer is
             final) and, if any transfers fail, the failed rows to fix
  failed/    not paid, with its error reports and NAME.reason.txt (invalid
             rows, over --max-total or --max-rows, a duplicate of a file
             already paid, nothing new to pay)
  ready/     checked and waiting for a person, with NAME.summary.txt: every
             file with --approve, and any file paying someone who was paid in
             another pay period in the last 25 days. Move it to approved/ to
             pay it.
A file being paid when the watcher stops (SIGTERM, Ctrl-C, a crash) stays in
processing/ and is resumed from the journal on the next start. One watcher
runs per folder; a second exits with code 7.

Log lines (one per change of a file's state) go to stderr; use --log-format
json for a service.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Dir = args[0]
			return runWatch(cmd.Context(), s, g, o)
		},
	}
	f := cmd.Flags()
	f.DurationVar(&o.Settle, "settle", 2*time.Second, "how long a file must stay unchanged before it is taken")
	f.DurationVar(&o.Poll, "poll", 10*time.Second, "how often to scan the folders (network shares often send no file events)")
	f.DurationVar(&o.Refresh, "refresh", time.Minute, "how often to refresh the results of paid files until every transfer is final")
	f.StringVar(&o.MaxTotal, "max-total", "", "do not pay a file whose total is above this amount, e.g. 500000.00 (it goes to failed/)")
	f.IntVar(&o.MaxRows, "max-rows", 0, "do not pay a file with more rows to pay than this (it goes to failed/)")
	f.BoolVar(&o.Approve, "approve", false, "every checked file waits in ready/ until a person moves it to approved/")
	f.StringVar(&o.Period, "period", "", "pay period of every file (default the current month when the file is taken)")
	f.IntVar(&o.PageSize, "page-size", upload.DefaultPageSize, "requests per call, 1 to 1000")
	f.BoolVar(&o.Sandbox, "sandbox", false, "pay into the built-in simulator (its own journal)")
	f.StringVar(&o.KeyFile, "server-key-file", "", "file holding the Clickpay server key (else CLICKPAY_SERVER_KEY)")
	f.StringVar(&o.Lang, "lang", "en", "language of the reports: en or ar")
	f.StringVar(&o.Folders.Inbox, "inbox", "", "folder to take files from (default DIR/inbox)")
	f.StringVar(&o.Folders.Processing, "processing", "", "folder of the file being paid (default DIR/processing)")
	f.StringVar(&o.Folders.Done, "done", "", "folder of paid files (default DIR/done)")
	f.StringVar(&o.Folders.Failed, "failed", "", "folder of files not paid (default DIR/failed)")
	f.StringVar(&o.Folders.Ready, "ready", "", "folder of files waiting for approval (default DIR/ready)")
	f.StringVar(&o.Folders.Approved, "approved", "", "folder to move approved files into (default DIR/approved)")
	return cmd
}

func runWatch(ctx context.Context, s *streams, g *globals, o *watchOptions) error {
	if o.PageSize < 1 || o.PageSize > upload.MaxPageSize {
		return usagef("--page-size must be from 1 to %d, not %d", upload.MaxPageSize, o.PageSize)
	}
	if err := checkLang(o.Lang); err != nil {
		return err
	}
	if o.MaxRows < 0 {
		return usagef("--max-rows must be 0 (no limit) or more, not %d", o.MaxRows)
	}
	var maxTotal payout.Amount
	if o.MaxTotal != "" {
		a, err := payout.ParseDecimal(o.MaxTotal)
		if err != nil || a <= 0 {
			return usagef("--max-total must be an amount like 500000.00, not %q", o.MaxTotal)
		}
		maxTotal = a
	}
	if o.Settle <= 0 || o.Poll <= 0 || o.Refresh <= 0 {
		return usagef("--settle, --poll and --refresh must be more than zero")
	}
	x, err := g.open(ctx, s, o.KeyFile, o.Sandbox, false)
	if err != nil {
		return err
	}
	defer x.Close()
	w, err := watch.New(x, watch.Options{Dir: o.Dir, Folders: o.Folders, Settle: o.Settle, Poll: o.Poll, Refresh: o.Refresh,
		MaxTotal: maxTotal, MaxRows: o.MaxRows, Approve: o.Approve, Period: o.Period, PageSize: o.PageSize, Lang: o.Lang,
		Log: g.logger(s.Err)})
	if err != nil {
		return err
	}
	return w.Run(ctx)
}
