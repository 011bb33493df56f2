package upload_test

import (
	"testing"

	"payroll/payout/upload"
)

// TestReferenceStable: a person's reference in a period never changes
// from one version to the next: the server is searched by the references
// earlier versions sent.
func TestReferenceStable(t *testing.T) {
	for _, tt := range []struct {
		period, iban string
		occ          int
		want         string
	}{
		{"2026-03", "SA0380000000608010167519", 1, "PR2026033cdce06f8b5382a0acfda8f6"},
		{"2026-11-bonus-extra-long", "SA0380000000608010167519", 2, "PR202611bonused06b74dd5425ecd79886c7bc"},
	} {
		if got := upload.Reference(tt.period, tt.iban, tt.occ); got != tt.want {
			t.Errorf("Reference(%q, %q, %d) = %q, want %q", tt.period, tt.iban, tt.occ, got, tt.want)
		}
	}
}
