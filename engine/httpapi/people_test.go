package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestTeamsEndpoints(t *testing.T) {
	e := newEnv(t)
	res := e.do("POST", "/v1/teams", e.admin, `{"name":"emea","members":["bob","alice"]}`)
	if res.status != http.StatusCreated || res.header.Get("Location") != "/v1/teams/emea" || strings.TrimSpace(string(res.raw)) != `{"name":"emea","members":["bob","alice"]}` {
		t.Fatalf("create: %d %s", res.status, res.raw)
	}
	for _, c := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/v1/teams", `{"name":"emea","members":[]}`, 409, "a team called emea exists already"},
		{"POST", "/v1/teams", `{"name":"EMEA"}`, 400, "team name"},
		{"POST", "/v1/teams", `{"name":"apac","members":["zed"]}`, 404, "zed"},
		{"POST", "/v1/teams", `{"name":"apac","members":["bob","bob"]}`, 400, `"bob" is listed twice`},
		{"POST", "/v1/teams", `{"name":"apac","membres":[]}`, 400, `unknown field "membres"`},
		{"POST", "/v1/teams", `{"name":"ap\u001bac"}`, 400, "control character"},
		{"PUT", "/v1/teams/emea", `{"name":"apac","members":[]}`, 400, "a team is not renamed"},
		{"PUT", "/v1/teams/emea", `{}`, 400, "members is missing"},
		{"PUT", "/v1/teams/nope", `{"members":[]}`, 404, "team \"nope\" does not exist"},
		{"GET", "/v1/teams/nope", ``, 404, "does not exist"},
		{"POST", "/v1/teams", `{"name":"apac"}`, 401, ""}, // no token: see below
	} {
		token := e.admin
		if c.status == 401 {
			token = e.intake
			c.status = 403
		}
		res := e.do(c.method, c.path, token, c.body)
		if res.status != c.status || !strings.Contains(res.str("detail"), c.want) {
			t.Errorf("%s %s %s: %d %s, want %d %q", c.method, c.path, c.body, res.status, res.raw, c.status, c.want)
		}
	}
	if res := e.do("PUT", "/v1/teams/emea", e.admin, `{"members":["alice"]}`); res.status != 200 || strings.TrimSpace(string(res.raw)) != `{"name":"emea","members":["alice"]}` {
		t.Errorf("put: %d %s", res.status, res.raw)
	}
	// Rules name teams as objects or as people write them; the rule answers objects.
	res = e.do("POST", "/v1/rules", e.admin, `{"name":"web","mode":"round_robin","recipients":[{"team":"emea","per_round":2},"bob:3"]}`)
	if res.status != 201 || !strings.Contains(string(res.raw), `"recipients":[{"team":"emea","per_round":2},{"agent":"bob","per_round":3}]`) {
		t.Fatalf("rule with a team: %d %s", res.status, res.raw)
	}
	ruleID := res.body["id"].(float64)
	for _, body := range []struct{ in, want string }{
		{`{"name":"x","mode":"round_robin","recipients":["team:nope"]}`, "team \"nope\" does not exist"},
		{`{"name":"x","mode":"round_robin","recipients":["team:emea:11"]}`, "a number from 1 to 10"},
		{`{"name":"x","mode":"round_robin","recipients":["bob, alice"]}`, "is not one recipient"},
		{`{"name":"x","mode":"round_robin","recipients":[{"agent":"bob","team":"emea"}]}`, "one of the two"},
		{`{"name":"x","mode":"round_robin","recipients":[{"tema":"emea"}]}`, `unknown field "tema"`},
	} {
		res := e.do("POST", "/v1/rules", e.admin, body.in)
		if res.status/100 != 4 || !strings.Contains(res.str("detail"), body.want) {
			t.Errorf("%s: %d %s, want %q", body.in, res.status, res.raw, body.want)
		}
	}
	res = e.do("DELETE", "/v1/teams/emea", e.admin, nil)
	if res.status != http.StatusConflict || res.str("detail") != `team emea is a recipient of rule #1 "web": take it out of that rule first` {
		t.Errorf("delete in use: %d %s", res.status, res.raw)
	}
	if res := e.do("GET", "/v1/agents/alice", e.admin, nil); !strings.Contains(string(res.raw), `"teams":["emea"]`) {
		t.Errorf("alice's teams: %s", res.raw)
	}
	e.do("DELETE", "/v1/rules/"+itoa(int64(ruleID)), e.admin, nil)
	if res := e.do("DELETE", "/v1/teams/emea", e.admin, nil); res.status != http.StatusNoContent {
		t.Errorf("delete: %d %s", res.status, res.raw)
	}
	if res := e.do("GET", "/v1/teams", e.admin, nil); strings.TrimSpace(string(res.raw)) != `{"items":[]}` {
		t.Errorf("list after delete: %s", res.raw)
	}
	if res := e.do("GET", "/v1/history?kind=team", e.admin, nil); strings.Count(string(res.raw), `"kind":"team.`) != 3 {
		t.Errorf("team history: %s", res.raw)
	}
}

func TestAgentWhenFields(t *testing.T) {
	e := newEnv(t)
	res := e.do("PATCH", "/v1/agents/bob", e.admin, `{"tz":"America/New_York","schedule":"Mon-Fri 9:00-17:00","away_until":"2099-01-01T09:00:00Z"}`)
	if res.status != 400 || !strings.Contains(res.str("detail"), "more than a year away") {
		t.Errorf("far away: %d %s", res.status, res.raw)
	}
	res = e.do("PATCH", "/v1/agents/bob", e.admin, `{"tz":"America/New_York","schedule":"Mon-Fri 9:00-17:00","away_until":"2h","auto_presence":false}`)
	if res.status != 200 {
		t.Fatalf("patch: %d %s", res.status, res.raw)
	}
	for _, want := range []string{`"tz":"America/New_York"`, `"schedule":"mon-fri 09:00-17:00"`, `"presence":"away"`, `"auto_presence":false`, `"teams":[]`, `"sessions":0`} {
		if !strings.Contains(string(res.raw), want) {
			t.Errorf("agent lacks %s: %s", want, res.raw)
		}
	}
	if res.body["away_until"] == nil {
		t.Errorf("no away_until: %s", res.raw)
	}
	res = e.do("PATCH", "/v1/agents/bob", e.admin, `{"away_until":null}`)
	if res.status != 200 || res.body["away_until"] != nil || res.str("presence") != "away" {
		t.Errorf("clearing away_until: %d %s", res.status, res.raw)
	}
	for _, c := range []struct{ body, field, want string }{
		{`{"schedule":"mon-fir 09:00-17:00"}`, "schedule", `schedule: \"mon-fir\" at position 1: unknown day \"fir\"`},
		{`{"tz":"Europe/Paris "}`, "", ""},
		{`{"tz":"Nowhere/Land"}`, "tz", "unknown time zone"},
		{`{"away_until":"tomorow"}`, "away_until", "write a duration"},
		{`{"away_until":"1h","presence":"busy"}`, "away_until", "away_until sets the presence away"},
	} {
		res := e.do("PATCH", "/v1/agents/bob", e.admin, c.body)
		if c.field == "" {
			if res.status != 200 {
				t.Errorf("%s: %d %s", c.body, res.status, res.raw)
			}
			continue
		}
		if res.status != 400 || res.str("field") != c.field || !strings.Contains(string(res.raw), c.want) {
			t.Errorf("%s: %d %s, want 400 on %s with %s", c.body, res.status, res.raw, c.field, c.want)
		}
	}
	res = e.do("POST", "/v1/agents", e.admin, `{"handle":"cy","name":"Cy","tz":"Asia/Kolkata","schedule":"sat,sun 10:00-14:00","auto_presence":false}`)
	if res.status != 201 || res.str("tz") != "Asia/Kolkata" || res.body["auto_presence"] != false {
		t.Errorf("add with a schedule: %d %s", res.status, res.raw)
	}
}
