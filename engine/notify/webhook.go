package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/netguard"
	"github.com/switchboard/switchboard/engine/textguard"
)

// Webhook request headers. The body is the engine's NotificationPayload as JSON; its
// event_id repeats X-Switchboard-Event so that a receiver can drop the duplicate a crash
// between sending and recording may cause.
const (
	HeaderEvent     = "X-Switchboard-Event"
	HeaderKind      = "X-Switchboard-Kind"
	HeaderDelivery  = "X-Switchboard-Delivery" // the outbox row: stable across retries
	HeaderSignature = "X-Switchboard-Signature"
)

// Sign is the X-Switchboard-Signature of body: "sha256=" and the hex HMAC-SHA256 of the
// body under the webhook's secret. A receiver recomputes it over the raw body and
// compares in constant time (hmac.Equal).
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// newHTTPClient is the webhook client. It keeps a connection per concurrent delivery
// to a host (the team webhook gets most of them) and follows no redirects: a POST that
// is redirected becomes a GET without its body, which no receiver wants. Unless
// allowLocal, it refuses to connect to a loopback or link-local address, checked on the
// address each connection dials (netguard.Control), after DNS: a name that resolves
// there now, whatever it resolved to when the URL was set, is refused.
func newHTTPClient(concurrency int, allowLocal bool) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = concurrency
	if !allowLocal {
		d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: netguard.Control}
		t.DialContext = d.DialContext
	}
	return &http.Client{
		Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// postWebhook sends one payload. Any 2xx answer is a delivery; anything else, or no
// answer before ctx ends, is an error worth retrying.
func postWebhook(ctx context.Context, client *http.Client, d engine.OutboxDelivery, kind engine.EventKind) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Target, bytes.NewReader(d.Payload))
	if err != nil {
		return permanent(fmt.Errorf("bad webhook URL: %w", unwrapURLError(err)))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "switchboard")
	req.Header.Set(HeaderEvent, strconv.FormatInt(d.EventID, 10))
	req.Header.Set(HeaderKind, string(kind))
	req.Header.Set(HeaderDelivery, strconv.FormatInt(d.ID, 10))
	if d.Secret != "" {
		req.Header.Set(HeaderSignature, Sign(d.Secret, d.Payload))
	}
	resp, err := client.Do(req)
	if err != nil {
		var refused *netguard.RefusedError
		if errors.As(err, &refused) {
			// Not worth retrying: the target is the server's own machine or link.
			return permanent(fmt.Errorf("webhook refused: %w (serve --allow-local-webhooks allows it)", refused))
		}
		// The URL often carries the receiver's token: keep it out of the error, which
		// ends up in history.
		return unwrapURLError(err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	// Drain a little more so that the connection can be reused.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	msg := "HTTP " + resp.Status
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		msg += " (redirects are not followed: set the webhook to the final URL)"
	}
	// The receiver's words go into history, which consoles draw: no control characters.
	if s := textguard.Strip(strings.Join(strings.Fields(string(snippet)), " ")); s != "" {
		msg += ": " + s
	}
	return errors.New(msg)
}

// unwrapURLError drops the *url.Error wrapper, which repeats the full URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
