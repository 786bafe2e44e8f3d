// Package netguard keeps webhooks off the server's own machine and link: a webhook URL
// is chosen by whoever may set one (an admin token, an agent's settings), and a POST to
// http://127.0.0.1:6379/ or http://169.254.169.254/ (a cloud's metadata service) would
// reach what only the server itself should.
//
// Targets on loopback, link-local (unicast and multicast) and unspecified addresses are
// refused twice: when the URL is set (an address written out, or localhost), and when a
// delivery connects (the address the name resolved to at that moment, since DNS can
// change between the two). A test or a one-machine setup allows them explicitly.
package netguard

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
)

// Local reports whether ip is an address a webhook may not reach: loopback
// (127.0.0.0/8, ::1), link-local (169.254.0.0/16, fe80::/10, and their multicast
// ranges) or unspecified (0.0.0.0, ::). An IPv4 address written as IPv6
// (::ffff:127.0.0.1) counts as itself.
func Local(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsUnspecified()
}

// CheckHost refuses a URL's host that names a local address by itself: an address
// written out, or localhost (which RFC 6761 reserves for the machine itself, with every
// name under it). It cannot know where other names resolve; the dialler checks that.
func CheckHost(host string) error {
	h := strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return fmt.Errorf("%s is this machine", host)
	}
	if zone := strings.IndexByte(h, '%'); zone >= 0 {
		h = h[:zone] // fe80::1%eth0
	}
	if ip, err := netip.ParseAddr(h); err == nil && Local(ip) {
		return fmt.Errorf("%s is a %s address", host, kind(ip))
	}
	return nil
}

// Control is a net.Dialer Control function that refuses to connect to a local address.
// It runs on the address being dialled, after name resolution, for every attempt.
func Control(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("netguard: %q is not an address", host)
	}
	if Local(ip) {
		return &RefusedError{Addr: ip}
	}
	return nil
}

// RefusedError is Control's refusal.
type RefusedError struct{ Addr netip.Addr }

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s is a %s address, which webhooks may not reach", e.Addr, kind(e.Addr))
}

func kind(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback():
		return "loopback"
	case ip.IsUnspecified():
		return "unspecified"
	}
	return "link-local"
}
