package httpapi

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// net/http answers some requests itself, before any handler sees them, with a canned
// text/plain answer written straight to the connection in one write: headers over the
// server's limit (431), a request line or header it cannot parse (400), a transfer
// encoding it does not know (501). problemListener's connections recognise those
// answers by their fixed header block and write the same status as problem+json, so
// that every refusal a client gets has the same form.
type problemListener struct{ net.Listener }

func (l problemListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return problemConn{c}, nil
}

type problemConn struct{ net.Conn }

// cannedHeaders ends the status line of every answer net/http writes by itself.
const cannedHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

func (c problemConn) Write(p []byte) (int, error) {
	if !bytes.HasPrefix(p, []byte("HTTP/1.1 ")) {
		return c.Conn.Write(p)
	}
	status, text, ok := parseCanned(p)
	if !ok {
		return c.Conn.Write(p)
	}
	if _, err := c.Conn.Write(problemAnswer(status, text)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// parseCanned reads the status and the text of a canned answer.
func parseCanned(p []byte) (int, string, bool) {
	head, body, ok := bytes.Cut(p, []byte(cannedHeaders))
	if !ok {
		return 0, "", false
	}
	code, _, _ := strings.Cut(strings.TrimPrefix(string(head), "HTTP/1.1 "), " ")
	status, err := strconv.Atoi(code)
	if err != nil || status < 400 || status > 599 {
		return 0, "", false
	}
	return status, string(body), true
}

func problemAnswer(status int, text string) []byte {
	p := &problem{Type: "about:blank", Title: http.StatusText(status), Status: status}
	switch status {
	case http.StatusRequestHeaderFieldsTooLarge:
		p.Detail = "the request's headers are larger than 64 KiB: send fewer or smaller headers"
	case http.StatusNotImplemented:
		p.Detail = "the request's transfer encoding is not supported: send the body as it is, or chunked"
	default:
		// net/http's text is "400 Bad Request" or "400 Bad Request: <why>".
		p.Detail = "the request is not valid HTTP/1.1"
		if _, why, ok := strings.Cut(text, ": "); ok {
			p.Detail += ": " + why
		}
	}
	body, _ := json.Marshal(p)
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\n")
	b.WriteString("Content-Type: application/problem+json\r\nX-Content-Type-Options: nosniff\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)+1) + "\r\nConnection: close\r\n\r\n")
	b.Write(body)
	b.WriteByte('\n')
	return b.Bytes()
}
