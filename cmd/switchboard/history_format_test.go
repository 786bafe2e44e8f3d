package main

import (
	"testing"

	"github.com/switchboard/switchboard/engine"
)

func TestDescribeEvent(t *testing.T) {
	tests := []struct {
		ev   engine.Event
		want string
	}{
		{engine.Event{Kind: engine.EvAgentChanged, From: "10", To: "20", Reason: "capacity"}, "capacity: 10 → 20"},
		{engine.Event{Kind: engine.EvAgentChanged, To: "https://hooks.example.com/", Reason: "webhook_url"}, "webhook_url: (none) → https://hooks.example.com/"},
		{engine.Event{Kind: engine.EvAgentPresence, From: "away", To: "available", Reason: "presence"}, "presence: away → available"},
		{engine.Event{Kind: engine.EvLeadReassigned, From: "bob", To: "carol", Reason: "on leave"}, "bob → carol: on leave"},
		{engine.Event{Kind: engine.EvLeadUnassigned, From: "bob"}, "was bob"},
		{engine.Event{Kind: engine.EvLeadCreated, To: "Ada", Reason: "source web"}, "Ada: source web"},
	}
	for _, tt := range tests {
		if got := describeEvent(tt.ev); got != tt.want {
			t.Errorf("describeEvent(%s) = %q, want %q", tt.ev.Kind, got, tt.want)
		}
	}
}
