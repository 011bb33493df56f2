package upload

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"payroll/payout"
	"payroll/payout/journal"
)

// TestBeginRowsAreTheJournals: a new upload is sent from the rows begin
// returns, not read back; they must be exactly what the journal holds, or
// a fresh run and a resumed run of the same upload would send different
// entries.
func TestBeginRowsAreTheJournals(t *testing.T) {
	j, err := journal.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var ls []Line
	names := []string{"Ahmed Al-Qahtani", "محمد العتيبي", `Zoë "Z" O'Neil\`, "  spaced  ", "Tab\there"}
	for i := 0; i < 23; i++ {
		bban := fmt.Sprintf("80%018d", 1000+i%7)
		ls = append(ls, Line{Occurrence: i/7 + 1, Row: i + 2, EmployeeID: fmt.Sprintf("E%d", i), Request: payout.Request{
			Amount: payout.Amount(100000 + i*101), Name: names[i%len(names)], Country: "SA", IBAN: "SA" + payout.IBANCheckDigits("SA", bban) + bban,
			Bank: "RJHISARI", Email: "e@example.com", Mobile: "+966501234567", Address1: "Street 1\nFloor 2", Address2: "الرياض", Branch: "Olaya", TransferCode: payout.Salary}})
	}
	// A line is a journal row: whatever else one carries is not planned.
	ls[3].EntryID, ls[3].Status, ls[3].Fee, ls[3].UploadID, ls[3].Index, ls[3].Page = "9", "Paid", "0.63", 77, 12, 4
	plan, err := NewPlan("/f.csv", strings.Repeat("ab", 32), "2026-03", "payroll-20260301-abababab", ls, 5)
	if err != nil {
		t.Fatal(err)
	}
	u := &Uploader{Journal: j}
	up, rows, err := u.begin(context.Background(), plan, false)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := j.Rows(context.Background(), up.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(ls) {
		t.Fatalf("begin returned %d rows for %d lines", len(rows), len(ls))
	}
	if !reflect.DeepEqual(rows, stored) {
		for i := range rows {
			if i < len(stored) && !reflect.DeepEqual(rows[i], stored[i]) {
				t.Fatalf("row %d:\nbegin   %+v\njournal %+v", i, rows[i], stored[i])
			}
		}
		t.Fatalf("begin returned %d rows, the journal holds %d", len(rows), len(stored))
	}
}

// TestStopErrorSay: a stopped upload says what to do first and then how
// to start again, or to send smaller pages, in each front end's words;
// other advice as it is.
func TestStopErrorSay(t *testing.T) {
	cause := errors.New("clickpay close: the balance is short")
	for _, tt := range []struct {
		e         *StopError
		cli, page string
	}{
		{&StopError{Msg: "closing failed", Err: cause, Resumes: true, First: "top up the deposit account"},
			"closing failed: clickpay close: the balance is short; top up the deposit account, then run the same command again to resume (nothing is sent twice)",
			"closing failed: clickpay close: the balance is short; top up the deposit account, then AGAIN"},
		{&StopError{Msg: "interrupted while adding page 2", Resumes: true},
			"interrupted while adding page 2; run the same command again to resume (nothing is sent twice)",
			"interrupted while adding page 2; AGAIN"},
		{&StopError{Msg: "refused", Hint: "correct the sheet"}, "refused; correct the sheet", "refused; correct the sheet"},
		{&StopError{Msg: "mismatch"}, "mismatch", "mismatch"},
		{&StopError{Msg: "refused", Err: cause, Hint: "correct the sheet", Smaller: true},
			"refused: clickpay close: the balance is short; correct the sheet; if the pages are too large for it, upload it again with a smaller --page-size",
			"refused: clickpay close: the balance is short; correct the sheet; if the pages are too large for it, SMALLER"},
		{&StopError{Msg: "refused", Resumes: true, Smaller: true},
			"refused; run the same command again to resume (nothing is sent twice); if the pages are too large for it, upload it again with a smaller --page-size",
			"refused; AGAIN; if the pages are too large for it, SMALLER"},
	} {
		if got := tt.e.Error(); got != tt.cli {
			t.Errorf("Error() = %q, want %q", got, tt.cli)
		}
		if got := tt.e.Say(Words{Again: "AGAIN", Smaller: "SMALLER"}); got != tt.page {
			t.Errorf("Say = %q, want %q", got, tt.page)
		}
	}
}
