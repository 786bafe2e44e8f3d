package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// TestDemoServesAWorkingForm: the demo's contact page holds a form that a browser on
// that page can submit, and a taken port moves the page to a free one.
func TestDemoServesAWorkingForm(t *testing.T) {
	eng := enginetest.Open(t, "", storage.Options{Synchronous: "NORMAL"}, engine.Options{TailInterval: -1})
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	page, stop, err := serveDemoForm(context.Background(), eng, taken.Addr().String(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if strings.Contains(page, taken.Addr().String()) {
		t.Fatalf("the page is at %s, a port already taken", page)
	}
	res, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`action="([^"]+)"`).FindSubmatch(body)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("GET %s: %d, no form action in\n%s", page, res.StatusCode, body)
	}
	// What a browser sends when the form on the page is submitted.
	req, _ := http.NewRequest("POST", string(m[1]), strings.NewReader(url.Values{"name": {"Demo Visitor"}, "_gotcha": {""}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", strings.TrimSuffix(page, "/"))
	req.Header.Set("Accept", "text/html")
	if res, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("submitting the demo form: %d", res.StatusCode)
	}
	n, err := eng.CountLeads(context.Background(), engine.System(), engine.LeadQuery{Text: "Demo Visitor"})
	if err != nil || n != 1 {
		t.Errorf("%d leads from the demo form (%v), want 1", n, err)
	}
}
