package netguard

import (
	"errors"
	"net/netip"
	"testing"
)

func TestCheckHost(t *testing.T) {
	for _, tc := range []struct {
		host  string
		local bool
	}{
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"[::1]", true},
		{"::ffff:127.0.0.1", true},
		{"0.0.0.0", true},
		{"[::]", true},
		{"169.254.169.254", true},
		{"[fe80::1%eth0]", true},
		{"localhost", true},
		{"LocalHost.", true},
		{"api.localhost", true},
		{"hooks.slack.com", false},
		{"10.0.0.7", false}, // private networks are a team's own choice
		{"93.184.215.14", false},
		{"[2001:db8::1]", false},
		{"localhost.example.com", false},
	} {
		err := CheckHost(tc.host)
		if (err != nil) != tc.local {
			t.Errorf("CheckHost(%q) = %v, want local %v", tc.host, err, tc.local)
		}
	}
}

func TestControl(t *testing.T) {
	for _, tc := range []struct {
		addr  string
		local bool
	}{
		{"127.0.0.1:80", true},
		{"[::1]:443", true},
		{"169.254.169.254:80", true},
		{"[::ffff:127.0.0.1]:80", true},
		{"0.0.0.0:8080", true},
		{"93.184.215.14:443", false},
	} {
		err := Control("tcp", tc.addr, nil)
		var refused *RefusedError
		if errors.As(err, &refused) != tc.local {
			t.Errorf("Control(%q) = %v, want refused %v", tc.addr, err, tc.local)
		}
	}
	if !Local(netip.MustParseAddr("ff02::1")) {
		t.Error("link-local multicast is local")
	}
}
