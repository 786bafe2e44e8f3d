package engine

import "testing"

func TestMatchKeyword(t *testing.T) {
	kw := []string{"price", "call back", "demo", "über"}
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"What is the PRICE?", true},
		{"the price list", true},
		{"Priceless", false},
		{"pricing", false},
		{"please call\n   back tomorrow", true},
		{"callback", false},
		{"a demo.", true},
		{"demonstration", false},
		{"Fragen Über alles", true},
		{"", false},
		{"prix: price", true},
		{"xprice price", true},
	} {
		if got := matchKeyword(kw, tc.text); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.text, got, tc.want)
		}
	}
	if matchKeyword(nil, "price") {
		t.Error("no keywords matched a text")
	}
}

func TestMailExternalID(t *testing.T) {
	a := InboundMail{FromAddr: "a@x", Subject: "s", Text: "t"}
	b := a
	if mailExternalID(&a) != mailExternalID(&b) || len(mailExternalID(&a)) != 71 {
		t.Errorf("a message without Message-ID: %q, want one sha256 key for the same message", mailExternalID(&a))
	}
	b.Text = "other"
	if mailExternalID(&a) == mailExternalID(&b) {
		t.Error("two messages share a key")
	}
	long := InboundMail{MessageID: string(make([]byte, 300))}
	if id := mailExternalID(&long); len(id) != 71 {
		t.Errorf("a Message-ID over 200 characters: %q, want its hash", id)
	}
	if id := mailExternalID(&InboundMail{MessageID: "abc@x"}); id != "abc@x" {
		t.Errorf("Message-ID kept as %q", id)
	}
}
