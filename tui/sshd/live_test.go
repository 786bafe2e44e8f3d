package sshd

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine"
)

// A dispatcher assigns a lead with the console's keys; the agent, in another session,
// sees it arrive in its workspace with a notification, without touching its keyboard.
func TestAssignmentShowsInTheAgentsSession(t *testing.T) {
	eng := newEngine(t)
	dee := addAgent(t, eng, "dee", engine.RoleDispatcher)
	abe := addAgent(t, eng, "abe", engine.RoleAgent)
	ts := startServer(t, eng, Config{})

	agent := openTerm(t, login(t, ts.addr, "abe", abe), "abe", 100, 30)
	agent.waitText("My leads")
	dispatcher := openTerm(t, login(t, ts.addr, "dee", dee), "dee", 100, 30)
	dispatcher.waitText("dee")

	// A lead arrives while both watch: no rules, so it waits in the queue.
	if _, err := eng.CreateLead(context.Background(), engine.System(), engine.NewLead{
		Name: "Quentin Quokka", Company: "Quokka Trading", Source: "web",
	}); err != nil {
		t.Fatal(err)
	}
	dispatcher.waitText("Quentin Quokka")

	dispatcher.press("a")
	dispatcher.waitText("Assign 1 lead to")
	dispatcher.press("abe")
	dispatcher.waitFor("the picker narrowed to abe", func(s string) bool {
		return strings.Contains(s, "› abe") && !strings.Contains(s, "  dee ")
	})
	dispatcher.press("enter")
	dispatcher.waitText("Assigned 1 lead to")

	agent.waitText("Quentin Quokka")
	agent.waitText("🔔 1")
}
