package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// TestReport: report shows the stats for people, prints the API's object as it is with
// --format json, one figure a line with --format csv (formula cells neutralised), and
// refuses a window it cannot read as a usage error.
func TestReport(t *testing.T) {
	c := newCLI(t)
	c.team()
	c.ok("rule", "add", "--name", "=HYPERLINK(\"x\")", "--mode", "round_robin", "--to", "bob:2,carol")
	for range 3 {
		c.ok("lead", "add", "--name", "Ada", "--source", "web")
	}
	c.ok("lead", "add", "--name", "Eve", "--source", "-cmd")

	out := c.ok("report")
	for _, want := range []string{"Leads created          4", "Assigned               4 by rules, 0 by people",
		"Time to first contact  p50 -, p90 -", "bob    3", "web     3", "bob 75% (67%), carol 25% (33%)"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	var st map[string]any
	if err := json.Unmarshal([]byte(c.ok("report", "--since", "24h", "--format", "json")), &st); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"since", "until", "leads", "time_to_assign", "time_to_first_contact", "sla", "agents", "sources", "rules"} {
		if _, ok := st[k]; !ok {
			t.Errorf("the JSON report lacks %q", k)
		}
	}
	if p50 := st["time_to_first_contact"].(map[string]any)["p50_s"]; p50 != nil {
		t.Errorf("p50 with no contact: %v", p50)
	}

	rows, err := csv.NewReader(strings.NewReader(c.ok("report", "--format", "csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	has := func(want ...string) bool {
		for _, r := range rows {
			if strings.Join(r, "|") == strings.Join(want, "|") {
				return true
			}
		}
		return false
	}
	for _, want := range [][]string{
		{"section", "name", "figure", "value"},
		{"leads", "", "created", "4"},
		{"time_to_first_contact", "", "p50_s", ""},
		{"source", "'-cmd", "created", "1"}, // a cell a spreadsheet would run is neutralised
		{"rule", "#1 =HYPERLINK(\"x\")", "matched", "4"},
		{"rule", "#1 =HYPERLINK(\"x\")", "assigned", "4"},
		{"fairness", "#1 =HYPERLINK(\"x\"): bob", "expected_share", "0.667"},
		{"fairness", "#1 =HYPERLINK(\"x\"): bob", "actual_share", "0.75"},
	} {
		if !has(want...) {
			t.Errorf("the CSV report lacks %q:\n%v", want, rows)
		}
	}

	c.fails(2, `--since "last week" is neither a duration`, "report", "--since", "last week")
	c.fails(2, "--until", "report", "--until", "tomorrow")
	c.fails(2, "must come before until", "report", "--since", "1h", "--until", "2h")
}
