package csvimport

import "strings"

// Spreadsheets run a cell that starts with =, +, - or @ as a formula (and some treat a
// leading tab or carriage return the same way), so a CSV file written for people – a
// rejects file, `--format csv` – could carry `=cmd|' /C calc'!A0` from a web form into
// someone's spreadsheet. SafeCell writes such a cell with a single quote in front, the
// convention spreadsheets read as "this is text"; readCell takes the quote off again
// when a file is imported, so a rejects file, corrected, imports as it is.

// formulaStarts are the first characters that make a spreadsheet cell a formula.
const formulaStarts = "=+-@\t\r"

// SafeCell is s as a CSV cell for people: with a single quote in front when it starts
// like a formula. A lone "-", the tables' "none", is no formula and stays as it is.
func SafeCell(s string) string {
	if s != "" && s != "-" && strings.IndexByte(formulaStarts, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// readCell undoes SafeCell: a single quote followed by a formula's first character is
// dropped. A value that really starts with such a quote loses it (a spreadsheet would
// not show it either).
func readCell(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.IndexByte(formulaStarts, s[1]) >= 0 {
		return s[1:]
	}
	return s
}
