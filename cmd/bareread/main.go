// Command bareread reads a sheet with nothing but the library that parses
// it (encoding/csv, or excelize's Rows loop), counting rows and cells: the
// baseline docs/perf.sh compares `payroll validate` with.
//
//	go run ./cmd/bareread FILE.csv|FILE.xlsx
package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: bareread FILE.csv|FILE.xlsx")
		os.Exit(2)
	}
	rows, cells, err := read(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bareread:", err)
		os.Exit(1)
	}
	fmt.Printf("%d rows, %d cells\n", rows, cells)
}

func read(path string) (rows, cells int, err error) {
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		f, err := excelize.OpenFile(path)
		if err != nil {
			return 0, 0, err
		}
		defer f.Close()
		rs, err := f.Rows(f.GetSheetList()[0])
		if err != nil {
			return 0, 0, err
		}
		defer rs.Close()
		for rs.Next() {
			cols, err := rs.Columns()
			if err != nil {
				return 0, 0, err
			}
			rows++
			cells += len(cols)
		}
		return rows, cells, rs.Error()
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, cells, nil
		}
		if err != nil {
			return 0, 0, err
		}
		rows++
		cells += len(rec)
	}
}
