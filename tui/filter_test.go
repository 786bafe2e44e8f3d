package tui

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/tui/leadmodel"
)

func TestParseFilter(t *testing.T) {
	tests := []struct {
		in      string
		want    Filter
		wantErr string
	}{
		{in: "", want: Filter{}},
		{in: "  ", want: Filter{}},
		{in: "source:facebook tag:vip age>1h acme", want: Filter{
			Sources: []string{"facebook"}, Tags: []string{"vip"}, MinAge: time.Hour, Words: []string{"acme"},
		}},
		{in: "Source:Facebook,TikTok", want: Filter{Sources: []string{"facebook", "tiktok"}}},
		{in: "source:web source:web", want: Filter{Sources: []string{"web"}}},
		{in: "tag:vip tag:hot", want: Filter{Tags: []string{"vip", "hot"}}},
		{in: "status:new,contacted", want: Filter{Statuses: []engine.Status{engine.StatusNew, engine.StatusContacted}}},
		{in: "owner:none", want: Filter{Owners: []string{"none"}}},
		{in: "age<2d age>30m", want: Filter{MaxAge: 48 * time.Hour, MinAge: 30 * time.Minute}},
		{in: `"acme corp" x@y.com`, want: Filter{Words: []string{"acme corp", "x@y.com"}}},
		{in: `owner:"a b"`, want: Filter{Owners: []string{"a b"}}},
		{in: "http://x", want: Filter{Words: []string{"http://x"}}},
		{in: "s:fa t:v o:al st:con", want: Filter{Sources: []string{"fa"}, Tags: []string{"v"}, Owners: []string{"al"}, Statuses: []engine.Status{engine.StatusContacted}}},
		{in: "st:w,l", want: Filter{Statuses: []engine.Status{engine.StatusWon, engine.StatusLost}}},
		{in: "status:done", wantErr: "status:done"},
		{in: "st:x", wantErr: "st:x"},
		{in: "age>soon", wantErr: "age>soon"},
		{in: "age>", wantErr: "needs a duration"},
		{in: "tag:", wantErr: "needs a value"},
		{in: `"acme`, wantErr: "quote"},
		{in: "age>2h age<1h", wantErr: "select nothing"},
		{in: "sla<5m", want: Filter{SLABelow: 5 * time.Minute}},
		{in: "SLA>1h sla:missed", want: Filter{SLAAbove: time.Hour, SLAMissed: true}},
		{in: "sla:late", wantErr: "sla:missed"},
		{in: "sla<", wantErr: "needs a duration"},
		{in: "sla>10m sla<5m", wantErr: "select nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFilter(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseFilter(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseFilter(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestFilterMatch(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	r := leadmodel.RowOf(engine.Lead{
		ID: 1, Name: "Ada Lovelace", Company: "Acme Corp", Email: "ada@acme.test",
		Source: "facebook", Tags: []string{"VIP"}, Status: engine.StatusNew,
		CreatedAt: now.Add(-2 * time.Hour),
	})
	tests := []struct {
		filter string
		want   bool
	}{
		{"", true},
		{"acme", true},
		{"ACME lovelace", true},
		{"acme babbage", false},
		{"source:facebook tag:vip age>1h acme", true},
		{"source:web,facebook", true},
		{"source:web", false},
		{"tag:vip tag:hot", false},
		{"age>3h", false},
		{"age<3h", true},
		{"age<1h", false},
		{"status:new", true},
		{"status:assigned", false},
		{"owner:none", true},
		{"owner:alice", false},
		{"s:fa", true},
		{"s:face,tik", true},
		{"s:ce", false},
		{"t:v", true},
		{"t:vip t:h", false},
		{"st:n", true},
		{"st:a", false},
		{"o:n", false},
		{"sla<5m", false}, // no SLA runs
		{"sla:missed", false},
	}
	for _, tt := range tests {
		f, err := ParseFilter(tt.filter)
		if err != nil {
			t.Fatalf("ParseFilter(%q): %v", tt.filter, err)
		}
		if got := f.Match(r, now); got != tt.want {
			t.Errorf("%q matches = %v, want %v", tt.filter, got, tt.want)
		}
	}
}

// TestFilterSLA: sla< and sla> compare the time left to first contact, which moves on
// its own; sla:missed keeps the leads someone missed an SLA on.
func TestFilterSLA(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	due := func(left time.Duration, missed bool) *row {
		l := engine.Lead{ID: 1, Name: "A", OwnerID: 2, Owner: "bob", AssignedAt: now.Add(-10 * time.Minute), SLADueAt: now.Add(left)}
		if missed {
			l.SLAMissedBy = []int64{3}
		}
		return leadmodel.RowOf(l)
	}
	tests := []struct {
		filter string
		r      *row
		want   bool
	}{
		{"sla<5m", due(4*time.Minute, false), true},
		{"sla<5m", due(5*time.Minute, false), false},
		{"sla<5m", due(-time.Second, false), true}, // passed, escalated within a second
		{"sla>5m", due(6*time.Minute, false), true},
		{"sla>5m", due(4*time.Minute, false), false},
		{"sla:missed", due(20*time.Minute, true), true},
		{"sla:missed", due(20*time.Minute, false), false},
		{"sla:missed sla<5m", due(20*time.Minute, true), false},
	}
	for _, tt := range tests {
		f, err := ParseFilter(tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Match(tt.r, now); got != tt.want {
			t.Errorf("%q on %v left: %v, want %v", tt.filter, tt.r.SLADue.Sub(now), got, tt.want)
		}
	}
}

// FuzzParseFilter checks that the parser never panics and that a parsed filter
// written back with String parses to the same filter.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"source:facebook tag:vip age>1h acme", `"acme corp" owner:none`, "status:new,won age<2w",
		"tag:a,b,,c", `owner:"x y"`, "age>1.5h", "::", `"`, "age<", "source:ü", "sla<5m sla:missed", "sla>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseFilter(s)
		if err != nil {
			return
		}
		again, err := ParseFilter(got.String())
		if err != nil {
			t.Fatalf("ParseFilter(%q) = %+v; its String %q does not parse: %v", s, got, got.String(), err)
		}
		if !reflect.DeepEqual(got, again) {
			t.Fatalf("round trip of %q: %+v became %+v via %q", s, got, again, got.String())
		}
	})
}

func TestCompleteFilter(t *testing.T) {
	values := func(k filterKey) []string {
		switch k {
		case keySource:
			return []string{"facebook", "fair", "web"}
		case keyOwner:
			return []string{"alice", "none"}
		}
		return nil
	}
	for _, tt := range []struct {
		in, want, hint string
	}{
		{"s:fac", "s:facebook", ""},
		{"s:f", "s:fa", "facebook  fair"},
		{"acme source:w", "acme source:web", ""},
		{"s:web,fai", "s:web,fair", ""},
		{"o:", "o:", "alice  none"},
		{"s:zz", "s:zz", "no source in this list starts like that"},
		{"acme", "acme", "tab completes the value of a s: t: o: st: or team: term"},
	} {
		got, hint := completeFilter(tt.in, values)
		if got != tt.want || hint != tt.hint {
			t.Errorf("completeFilter(%q) = %q, %q; want %q, %q", tt.in, got, hint, tt.want, tt.hint)
		}
	}
}
