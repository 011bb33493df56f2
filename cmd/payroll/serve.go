package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"payroll/payout/upload"
	"payroll/payout/web"
)

type serveOptions struct {
	Addr      string
	Sandbox   bool
	TLSCert   string
	TLSKey    string
	MaxUpload int64
	PageSize  int
	KeyFile   string
}

func newServeCmd(s *streams, g *globals) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve HR's web page: upload a sheet, see its errors, pay, track the batch",
		Long: `serve runs the web page on --addr (loopback by default): download the blank
template, upload a salary sheet, see every error and warning at once with
the reports to download, confirm the count and total, pay, and watch every
transfer until it is final. It pays through the same pipeline, journal and
rules as 'payroll upload'.

Log in with the password in PAYROLL_WEB_PASSWORD; without it, serve prints a
one-time token to log in with. Uploaded sheets and their reports are kept in
the state directory (web/ beside the journal), readable by this user only.
An address other than loopback needs --tls-cert and --tls-key (https).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), s, g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.BoolVar(&o.Sandbox, "sandbox", false, "pay into the built-in simulator instead of Clickpay (its own journal)")
	f.StringVar(&o.TLSCert, "tls-cert", "", "certificate file, to serve over https")
	f.StringVar(&o.TLSKey, "tls-key", "", "private key file of --tls-cert")
	f.Int64Var(&o.MaxUpload, "max-upload", 20, "largest sheet accepted, in MB")
	f.IntVar(&o.PageSize, "page-size", upload.DefaultPageSize, "requests per call, 1 to 1000")
	f.StringVar(&o.KeyFile, "server-key-file", "", "file holding the Clickpay server key (else CLICKPAY_SERVER_KEY)")
	return cmd
}

func runServe(ctx context.Context, s *streams, g *globals, o *serveOptions) error {
	if o.PageSize < 1 || o.PageSize > upload.MaxPageSize {
		return usagef("--page-size must be from 1 to %d, not %d", upload.MaxPageSize, o.PageSize)
	}
	if o.MaxUpload < 1 {
		return usagef("--max-upload must be 1 MB or more, not %d", o.MaxUpload)
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	tls := o.TLSCert != ""
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return usagef("--addr %q: %v (write it like 127.0.0.1:8080)", o.Addr, err)
	}
	if ip := net.ParseIP(host); !tls && (ip == nil && host != "localhost" || ip != nil && !ip.IsLoopback()) {
		return usagef("--addr %s is not a loopback address: other computers would send the password in clear text; serve over https with --tls-cert and --tls-key, or keep to 127.0.0.1", o.Addr)
	}
	x, err := g.open(ctx, s, o.KeyFile, o.Sandbox, false)
	if err != nil {
		return err
	}
	defer x.Close()
	password := os.Getenv("PAYROLL_WEB_PASSWORD")
	token := ""
	if password == "" {
		b := make([]byte, 10)
		rand.Read(b)
		token = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w (is another server using it? choose another with --addr)", o.Addr, err)
	}
	srv, err := web.New(web.Options{Service: x, Dir: filepath.Join(filepath.Dir(x.Journal.Path()), "web"), Password: password, Token: token,
		MaxUpload: o.MaxUpload << 20, Secure: tls, PageSize: o.PageSize, Context: ctx, Log: g.logger(s.Err)})
	if err != nil {
		ln.Close()
		return err
	}
	scheme := "http"
	if tls {
		scheme = "https"
	}
	fmt.Fprintf(s.Err, "serving %s://%s/ (%s); Ctrl-C stops\n", scheme, ln.Addr(), x.Which())
	if token != "" {
		fmt.Fprintf(s.Err, "log in with this one-time token: %s (or set PAYROLL_WEB_PASSWORD)\n", token)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute}
	done := make(chan error, 1)
	go func() {
		if tls {
			done <- hs.ServeTLS(ln, o.TLSCert, o.TLSKey)
		} else {
			done <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	// A payment under way finishes its current call and stops where the
	// journal can resume it (the context it runs under is done).
	shut, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = hs.Shutdown(shut)
	srv.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
