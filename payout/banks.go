package payout

import (
	_ "embed"
	"encoding/csv"
	"strings"

	"payroll/mapping"
)

//go:embed sa-bank-codes.csv
var saBankCSV string

// Bank is a Saudi bank as identified by the 2-digit code inside its IBANs.
type Bank struct {
	Code    string // "80"
	BIC     string // "RJHISARI"
	Name    string // "Al Rajhi Bank"
	NameAR  string // "مصرف الراجحي"
	Aliases []string
}

// Banks is the table of Saudi banks, read from the reference list embedded
// in the binary.
type Banks struct {
	byCode map[string]Bank
	// byName holds every bank's names and aliases, normalised once; the
	// first bank listed wins a name two share.
	byName map[string]Bank
	list   []Bank
}

// SaudiBanks returns the embedded table of Saudi bank codes and BICs.
func SaudiBanks() *Banks {
	rows, err := csv.NewReader(strings.NewReader(saBankCSV)).ReadAll()
	if err != nil {
		// The file is part of the binary and checked by the tests.
		panic("payout: embedded sa-bank-codes.csv: " + err.Error())
	}
	b := &Banks{byCode: map[string]Bank{}, byName: map[string]Bank{}}
	for _, r := range rows[1:] {
		bank := Bank{Code: r[0], BIC: r[1], Name: r[2], NameAR: r[3]}
		if r[4] != "" {
			bank.Aliases = strings.Split(r[4], "|")
		}
		b.byCode[bank.Code] = bank
		b.list = append(b.list, bank)
		for _, name := range append([]string{bank.Name, bank.NameAR}, bank.Aliases...) {
			n := mapping.Normalize(name)
			if _, taken := b.byName[n]; !taken {
				b.byName[n] = bank
			}
		}
	}
	return b
}

// ForIBAN returns the bank of a Saudi IBAN, from characters 5-6.
func (b *Banks) ForIBAN(iban string) (Bank, bool) {
	if len(iban) < 6 || iban[:2] != "SA" {
		return Bank{}, false
	}
	bank, ok := b.byCode[iban[4:6]]
	return bank, ok
}

// Recognize finds the bank a user typed: its BIC (8 or 11 characters), its
// English or Arabic name, or a common short name.
func (b *Banks) Recognize(typed string) (Bank, bool) {
	t := strings.ToUpper(strings.TrimSpace(typed))
	if t == "" {
		return Bank{}, false
	}
	for _, bank := range b.list {
		if t == bank.BIC || (len(t) == 11 && t[:8] == bank.BIC) {
			return bank, true
		}
	}
	bank, ok := b.byName[mapping.Normalize(typed)]
	return bank, ok
}

// List returns every bank in the table.
func (b *Banks) List() []Bank { return append([]Bank(nil), b.list...) }
