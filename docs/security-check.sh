#!/usr/bin/env bash
# Switches each protection of docs/security.md off, one at a time, in a
# scratch copy of the repository, and runs the test its row names: every
# test must fail with its protection off (and pass with it on, which
# `go test ./...` shows). Run from the repository: docs/security-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

# check NAME FILE SED-EXPRESSION PACKAGE TEST-REGEXP
check() {
  local name=$1 file=$2 expr=$3 pkg=$4 test=$5
  rm -rf "$work/repo"
  mkdir -p "$work/repo"
  git ls-files -z | xargs -0 cp --parents -t "$work/repo"
  cp "$file" "$work/orig"
  sed -i "$expr" "$work/repo/$file"
  if cmp -s "$work/orig" "$work/repo/$file"; then
    echo "BROKEN CHECK  $name: the edit changed nothing in $file"; failed=1; return
  fi
  if ! (cd "$work/repo" && go test -vet=off -count=1 -run '^$' "./$pkg" >/dev/null 2>&1); then
    echo "BROKEN CHECK  $name: the edit does not compile"; failed=1; return
  fi
  if (cd "$work/repo" && go test -count=1 -timeout 90s -v "./$pkg" -run "$test" >"$work/out" 2>&1); then
    if ! grep -q -- '^\s*--- PASS' "$work/out"; then
      echo "BROKEN CHECK  $name: no test matches $test"; failed=1; return
    fi
    echo "NOT PROVEN    $name: $test passes with the protection off"; failed=1
  else
    echo "proven        $name: $test fails with the protection off"
  fi
}

check "exactly once per person and period" payout/upload/period.go \
  's/if p.Amount == l.Request.Amount \&\& same == nil {/if false \&\& p.Amount == l.Request.Amount \&\& same == nil {/' \
  payout/upload 'TestFixAndReuploadPaysOnlyWhatIsNew$'
check "no batch closed that is not its plan" payout/upload/uploader.go \
  's/		if why := v.result(b, r.up.Count, r.up.Total); why != "" {/		if why := ""; why != "" {/' \
  payout/upload 'TestMismatchIsNeverClosed$'
check "nothing paid that nobody dropped in" payout/watch/watch.go \
  's/if took, err := w.tookIt(ctx, path); err != nil || !took {/if took, err := true, error(nil); err != nil || !took {/' \
  payout/watch 'TestStatusNeverFeedsTheWatcher$'
check "no redirects followed" payout/clickpay/client.go \
  's/hc.CheckRedirect = func(\*http.Request, \[\]\*http.Request) error { return http.ErrUseLastResponse }/_ = http.ErrUseLastResponse/' \
  payout/clickpay 'TestRedirectsAreNeverFollowed$'
check "https off loopback" payout/clickpay/client.go \
  's/if u.Scheme != "https" \&\& !(u.Scheme == "http" \&\& isLoopback(u.Hostname())) {/if false {/' \
  payout/clickpay 'TestConfigChecks$'
check "the key never echoed or stored" payout/clickpay/client.go \
  's/data = bytes.ReplaceAll(data, \[\]byte(c.key), \[\]byte(redacted))/_ = redacted/' \
  payout/clickpay 'TestServerMessageQuotingTheKey$'
check "the key never stored (answers read as they come)" payout/clickpay/stream.go \
  's/	case !ok || w.keyed:/	case !ok:/' \
  payout/clickpay 'TestStreamSameAsWhole$'
check "owner-only files (journal)" payout/journal/journal.go \
  's/if fi.Mode().Perm()\&0o077 == 0 {/if true {/' \
  payout/journal 'TestOpenTightensPermissions$'
check "no live formulas" payout/sheet.go \
  's/^func SafeCell(s string) string {$/func SafeCell(s string) string { return s }\nfunc safeCellOff(s string) string {/' \
  payout 'TestSafeCell$|TestCSVFieldsNeverSplitIntoFormulas$'
check "bounded decompression" importer/xlsx.go \
  's/if err := checkZip(\&z.Reader, path, opts.Limits); err != nil {/if err := error(nil); err != nil {/' \
  importer 'TestZipBombs$'
check "clean text (control characters)" payout/validate.go \
  '/case r < 0x20, r == 0x7F, r >= 0x80/{n;s/return r, true/return 0, false/}' \
  payout 'TestControlCharactersDeepInAFile$'
check "web: sessions bounded" payout/web/server.go \
  's/		if s.anonymous >= maxAnonymous {/		if false \&\& s.anonymous >= maxAnonymous {/' \
  payout/web 'TestAnonymousSessionsCapped$'
check "web: CSRF token on every POST" payout/web/server.go \
  's/if !sameToken(r.FormValue("csrf"), ss.csrf) {/if false {/' \
  payout/web 'TestBadCSRFForbidden$'
check "web: login required" payout/web/server.go \
  's/		if !ss.authed {/		if false {/' \
  payout/web 'TestNoLoginRedirects$'
check "web: wrong passwords rate-limited" payout/web/server.go \
  's/		if a.failed >= freeAttempts {/		if false {/' \
  payout/web 'TestWrongPasswordRateLimited$'
check "web: http-only SameSite session cookie" payout/web/server.go \
  's/HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.o.Secure, MaxAge/HttpOnly: false, SameSite: http.SameSiteStrictMode, Secure: s.o.Secure, MaxAge/' \
  payout/web 'TestSessionCookieAndHeaders$'
check "web: upload size limit" payout/web/server.go \
  's/r.Body = http.MaxBytesReader(w, r.Body, s.o.MaxUpload+1<<20)/_ = http.MaxBytesReader/' \
  payout/web 'TestOversizeUpload$'
check "web: downloads by id, never by path" payout/web/pages.go \
  's/		path = sh.reports\[r.PathValue("kind")\]/		path = filepath.Join(sh.dir, r.PathValue("kind"))/' \
  payout/web 'TestPathTraversal404$|TestDownloadsNeverAPath$'
check "web: loopback unless https" cmd/payroll/serve.go \
  's/	if ip := net.ParseIP(host); !tls /	if ip := net.ParseIP(host); false \&\& !tls /' \
  cmd/payroll 'TestScripts/serve$'
check "one watcher per folder" payout/watch/watch.go \
  's/	if errors.Is(err, journal.ErrLocked) {/	if false \&\& errors.Is(err, journal.ErrLocked) {/' \
  payout/watch 'TestOneWatcherPerFolder$'
check "one upload at a time per state directory" payout/journal/lock.go \
  's/	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {/	if err := error(nil); err != nil {/' \
  payout/journal 'TestLock$'
check "files at rest: whole or not at all" payout/files.go \
  's/^	return writeThrough(path, write, os.Rename)$/	f, err := os.Create(path)\n	if err != nil {\n		return err\n	}\n	defer f.Close()\n	createTemp(path)\n	return write(f)/' \
  cmd/payroll 'TestKilledMidWrite$'
check "files at rest: stale temporary files removed" payout/files.go \
  's/^func removeStaleTemps(path string) {$/func removeStaleTemps(path string) {\n	return/' \
  cmd/payroll 'TestKilledMidWrite$'
check "journal: older versions stop" payout/journal/journal.go \
  's/^const legacyMarker = .*$/const legacyMarker = `{}`/' \
  payout/journal 'TestOlderVersionsStop$'
check "journal: newer journals refused" payout/journal/journal.go \
  's/	if v > version {/	if false {/' \
  payout/journal 'TestNewerJournalRefused$'
check "sandbox server: stalled connections cut off" payout/clickpaysim/serve.go \
  's/return \&http.Server{Handler: h, ReadHeaderTimeout: 10 \* time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 \* time.Minute}/return \&http.Server{Handler: h}/' \
  payout/clickpaysim 'TestServerTimeouts$'
check "sandbox server: body size limit" payout/clickpaysim/sim.go \
  's/readAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody), /readAll(io.LimitReader(r.Body, s.cfg.MaxBody), /' \
  payout/clickpaysim 'TestFiveHundredSlowConnections$'
check "a cell's text stays in its field" payout/jsontext.go \
  "s/if c >= 0x20 \&\& c != '\"' \&\& /if c >= 0x20 \&\& /" \
  payout 'TestRequestTextStaysInItsField$'
exit $failed
