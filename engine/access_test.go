package engine_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
)

func TestLeadAccess(t *testing.T) {
	now := start
	lead := &engine.Lead{ID: 7, OwnerID: 1, Owner: "alice"}
	alice := engine.Actor{Name: "alice", Role: engine.RoleAgent, AgentID: 1}
	bob := engine.Actor{Name: "bob", Role: engine.RoleAgent, AgentID: 2}
	dana := engine.Actor{Name: "dana", Role: engine.RoleDispatcher, AgentID: 3}
	share := func(agent int64, acc engine.Access, status engine.ShareStatus, expires time.Time) *engine.Share {
		return &engine.Share{LeadID: 7, AgentID: agent, Access: acc, Status: status, ExpiresAt: expires}
	}
	for _, tt := range []struct {
		name  string
		actor engine.Actor
		share *engine.Share
		want  engine.Access
	}{
		{"the owner", alice, nil, engine.AccessEdit},
		{"a dispatcher", dana, nil, engine.AccessEdit},
		{"the system", engine.System(), nil, engine.AccessEdit},
		{"an intake token", engine.AsAPI("form", engine.RoleIntake), nil, engine.AccessNone},
		{"another agent", bob, nil, engine.AccessNone},
		{"a read share", bob, share(2, engine.AccessRead, engine.ShareActive, time.Time{}), engine.AccessRead},
		{"an edit share until later", bob, share(2, engine.AccessEdit, engine.ShareActive, now.Add(time.Minute)), engine.AccessEdit},
		{"a share that ran out", bob, share(2, engine.AccessEdit, engine.ShareActive, now), engine.AccessNone},
		{"a revoked share", bob, share(2, engine.AccessEdit, engine.ShareRevoked, time.Time{}), engine.AccessNone},
		{"someone else's share", bob, share(9, engine.AccessEdit, engine.ShareActive, time.Time{}), engine.AccessNone},
	} {
		if got := engine.LeadAccess(tt.actor, lead, tt.share, now); got != tt.want {
			t.Errorf("%s: access %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestParseRecipients(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    []engine.RecipientSpec
		wantErr string
	}{
		{in: "", want: nil},
		{in: "bob:2,carol", want: []engine.RecipientSpec{{Agent: "bob", PerRound: 2}, {Agent: "carol", PerRound: 1}}},
		{in: " alice:2, bob  carol ", want: []engine.RecipientSpec{{Agent: "alice", PerRound: 2}, {Agent: "bob", PerRound: 1}, {Agent: "carol", PerRound: 1}}},
		{in: "bob:0", wantErr: "from 1 to 10"},
		{in: "bob:11", wantErr: "from 1 to 10"},
		{in: "bob:x", wantErr: `"bob:x"`},
		{in: ":2", wantErr: "no handle"},
	} {
		got, err := engine.ParseRecipients(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || engine.KindOf(err) != engine.KindInvalid {
				t.Errorf("ParseRecipients(%q) error = %v, want an invalid-input error with %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseRecipients(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if again, err := engine.ParseRecipients(engine.FormatRecipients(got)); err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("%q does not read back through FormatRecipients: %+v, %v", tt.in, again, err)
		}
	}
}

var cautionNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func TestCautions(t *testing.T) {
	for _, tt := range []struct {
		name  string
		agent engine.Agent
		n     int
		want  []string
	}{
		{"available with room", engine.Agent{Presence: engine.Available, Capacity: 5, OpenLeads: 3}, 2, nil},
		{"busy, no limit", engine.Agent{Presence: engine.Busy, OpenLeads: 300}, 50, nil},
		{"away", engine.Agent{Presence: engine.Away}, 1, []string{"away"}},
		{"offline and full", engine.Agent{Presence: engine.Offline, Capacity: 5, OpenLeads: 5}, 1, []string{"offline", "at capacity (5/5)"}},
		{"would go over", engine.Agent{Presence: engine.Available, Capacity: 5, OpenLeads: 3}, 4, []string{"over capacity with these (7/5)"}},
		// 2026-11-23 is a Monday; now is 10:00 UTC.
		{"away until a time", engine.Agent{Presence: engine.Away, AwayUntil: cautionNow.Add(3 * time.Hour)}, 1, []string{"away until 13:00"}},
		{"off schedule", engine.Agent{Presence: engine.Available, Schedule: "mon-fri 13:00-17:00"}, 1, []string{"off schedule until 13:00"}},
		{"off schedule in its zone", engine.Agent{Presence: engine.Available, Schedule: "mon-fri 09:00-17:00", TZ: "America/New_York"}, 1, []string{"off schedule until 14:00"}},
		{"on schedule", engine.Agent{Presence: engine.Available, Schedule: "mon-fri 09:00-17:00", TZ: "Europe/Berlin"}, 1, nil},
		{"off until Saturday", engine.Agent{Presence: engine.Busy, Schedule: "sat 10:00-14:00"}, 1, []string{"off schedule until 10:00 Sat"}},
	} {
		if got := tt.agent.Cautions(tt.n, cautionNow, time.UTC); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
