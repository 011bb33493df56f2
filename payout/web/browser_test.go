package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// chromium finds the browser the test drives: Debian's chromium, which
// .ci/run installs.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestInABrowser drives a real, headless Chromium through HR's work: log
// in, upload an invalid sheet, see the error table, download the error
// report, upload a valid sheet, pay on the sandbox and see the batch reach
// Completed. With PAYROLL_SCREENSHOTS=DIR it saves the pages of the README
// (upload, errors, batch; English and Arabic) there.
func TestInABrowser(t *testing.T) {
	exe := chromium()
	if exe == "" && os.Getenv("PAYROLL_REQUIRE_BROWSER") != "" {
		t.Fatal("PAYROLL_REQUIRE_BROWSER is set (as .ci/run sets it) and there is no chromium binary on PATH")
	}
	if exe == "" {
		t.Skip("no chromium binary on PATH: install Debian's chromium (apt-get install chromium; .ci/run does) to run the browser test")
	}
	s := newSite(t, Options{})
	shots := os.Getenv("PAYROLL_SCREENSHOTS")
	invalid, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "invalid.csv"))
	valid, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "salaries.xlsx"))

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	downloads := t.TempDir()
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if shots == "" {
				return nil
			}
			png, err := chromedp.FullScreenshot(100)(ctx, t) // 100: PNG
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		})
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel chromedp.ID) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("reading #%s: %v", sel, err)
		}
		return s
	}
	location := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	do("start the browser")
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: new(true)}); err != nil {
		t.Fatal(err)
	}
	do("log in",
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("sheet")),
		shot("upload-en"),
	)

	do("upload the invalid sample",
		chromedp.SetUploadFiles(chromedp.ID("sheet"), []string{invalid}),
		chromedp.Click(chromedp.ID("checkbutton")),
		chromedp.WaitVisible(chromedp.ID("problems")),
		shot("errors-en"),
	)
	errorsPage := location()
	if n, table := text("invalidrows"), text("problems"); strings.TrimSpace(n) != "20" || !strings.Contains(table, "check digits do not match") {
		t.Errorf("error table: %q rows invalid, table %q", n, table[:min(len(table), 200)])
	}

	// The download's end is a browser event: subscribe, then click.
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	do("download the error report", chromedp.Click(chromedp.CSS(`a[href$="/errors.csv"]`)))
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("the error report was not downloaded: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download of the error report was canceled")
		}
		if ev.State != browser.DownloadProgressStateCompleted {
			continue
		}
		report, err := os.ReadFile(filepath.Join(downloads, ev.GUID))
		if err != nil || !strings.Contains(string(report), "iban.checksum") {
			t.Errorf("the downloaded report: %v %q", err, report)
		}
		break
	}

	do("upload the valid sample",
		chromedp.Navigate(s.url+"/"),
		chromedp.SetUploadFiles(chromedp.ID("sheet"), []string{valid}),
		chromedp.Click(chromedp.ID("checkbutton")),
		chromedp.WaitVisible(chromedp.ID("payform")),
	)
	if plan := text("plan"); !strings.Contains(plan, "10 transfers, SAR 104,102.50") {
		t.Errorf("plan shown: %q", plan)
	}
	do("pay, and wait for the batch to complete",
		chromedp.Click(chromedp.ID("confirm")),
		chromedp.Click(chromedp.ID("paybutton")),
		// The page refreshes itself until every transfer is final.
		chromedp.WaitVisible(chromedp.Search(`//strong[@id="batchstatus"][text()="Completed"]`)),
		shot("batch-en"),
	)
	batch := location()
	paid, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('#entries td.status')].filter(td => td.textContent === 'Paid').length`))
	if err != nil || paid != 10 {
		t.Errorf("%d rows Paid on the batch page (%v)", paid, err)
	}

	if shots != "" {
		do("the Arabic pages",
			chromedp.Navigate(s.url+"/?lang=ar"), chromedp.WaitVisible(chromedp.ID("sheet")), shot("upload-ar"),
			chromedp.Navigate(errorsPage), chromedp.WaitVisible(chromedp.ID("problems")), shot("errors-ar"),
			chromedp.Navigate(batch), chromedp.WaitVisible(chromedp.ID("entries")), shot("batch-ar"),
		)
	}
}
