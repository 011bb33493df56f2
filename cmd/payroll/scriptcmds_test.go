package main

import (
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/xuri/excelize/v2"
)

func scriptCommands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		// xlsxcell FILE SHEET CELL WANT: the cell's value equals WANT.
		"xlsxcell": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 4 {
				ts.Fatalf("usage: xlsxcell FILE SHEET CELL WANT")
			}
			f, err := excelize.OpenFile(ts.MkAbs(args[0]))
			ts.Check(err)
			defer f.Close()
			got, err := f.GetCellValue(args[1], args[2])
			ts.Check(err)
			if (got == args[3]) == neg {
				ts.Fatalf("%s!%s = %q, want %q", args[1], args[2], got, args[3])
			}
		},
		// xlsxnum FILE SHEET CELL...: the cells hold numbers, not text.
		"xlsxnum": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) < 3 {
				ts.Fatalf("usage: xlsxnum FILE SHEET CELL...")
			}
			f, err := excelize.OpenFile(ts.MkAbs(args[0]))
			ts.Check(err)
			defer f.Close()
			for _, cell := range args[2:] {
				typ, err := f.GetCellType(args[1], cell)
				ts.Check(err)
				if (typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset) == neg {
					ts.Fatalf("%s!%s has type %v", args[1], cell, typ)
				}
				if v, _ := f.GetCellValue(args[1], cell); v == "" {
					ts.Fatalf("%s!%s is empty", args[1], cell)
				}
			}
		},
		// xlsxsheets FILE NAME...: the workbook has these sheets, in order.
		"xlsxsheets": func(ts *testscript.TestScript, neg bool, args []string) {
			f, err := excelize.OpenFile(ts.MkAbs(args[0]))
			ts.Check(err)
			defer f.Close()
			got := strings.Join(f.GetSheetList(), " ")
			if (got == strings.Join(args[1:], " ")) == neg {
				ts.Fatalf("sheets %q", got)
			}
		},
		// mode FILE PERM: the file's permission bits, e.g. 0600.
		"mode": func(ts *testscript.TestScript, neg bool, args []string) {
			fi, err := os.Stat(ts.MkAbs(args[0]))
			ts.Check(err)
			if (fi.Mode().Perm().String() == os.FileMode(parseOctal(args[1])).String()) == neg {
				ts.Fatalf("%s has mode %v", args[0], fi.Mode().Perm())
			}
		},
	}
}

func parseOctal(s string) uint32 {
	var v uint32
	for _, c := range strings.TrimPrefix(s, "0") {
		v = v*8 + uint32(c-'0')
	}
	return v
}
