package engine_test

import (
	"testing"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

func TestReceiveMail(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := newFixture(t, s)
		f.agent("bob")
		f.rule(rr("all", "", to("bob", 1)))
		if err := f.e.SetSetting(f.ctx, f.owner, engine.SettingMailRecipients, "sales@example.com"); err != nil {
			t.Fatal(err)
		}
		m := engine.InboundMail{Recipient: "SALES@example.com", FromName: "  Ada   Lovelace ", FromAddr: "ada@example.com",
			Subject: "A quote, please", Text: "Hello,\r\n\r\nwe need   engines.\r\n", MessageID: "m1@example.com"}
		res, err := f.e.ReceiveMail(f.ctx, m)
		if err != nil || res.Ignored != "" || res.Duplicate {
			t.Fatalf("ReceiveMail: %+v %v", res, err)
		}
		l := f.get(res.Lead.ID)
		if l.Name != "Ada Lovelace" || l.Email != "ada@example.com" || l.Source != "email" || l.ExternalID != "m1@example.com" || l.Owner != "bob" {
			t.Errorf("lead %+v", l)
		}
		if l.Fields["message"] != "Hello, we need engines." || l.Fields["subject"] != "A quote, please" {
			t.Errorf("fields %v", l.Fields)
		}
		again, err := f.e.ReceiveMail(f.ctx, m)
		if err != nil || !again.Duplicate || again.Lead.ID != l.ID {
			t.Errorf("the same Message-ID again: %+v %v, want a duplicate of #%d", again, err, l.ID)
		}
		if n := len(f.allLeads()); n != 1 {
			t.Errorf("%d leads", n)
		}

		// Keywords come from the setting: with "engines" alone, a quote is not enough.
		if err := f.e.SetSetting(f.ctx, f.owner, engine.SettingMailKeywords, "engines"); err != nil {
			t.Fatal(err)
		}
		res, err = f.e.ReceiveMail(f.ctx, engine.InboundMail{Recipient: "sales@example.com", FromAddr: "b@example.com", Subject: "quote", MessageID: "m2@x"})
		if err != nil || res.Ignored != "no keyword" {
			t.Errorf("a mail without the keyword: %+v %v", res, err)
		}
		res, err = f.e.ReceiveMail(f.ctx, engine.InboundMail{Recipient: "sales@example.com", FromAddr: "b@example.com", Text: "Engines!", MessageID: "m3@x"})
		if err != nil || res.Ignored != "" {
			t.Errorf("a mail with the keyword in its text: %+v %v", res, err)
		}
		ignored := eventsOf(f.events(0), engine.EvMailIgnored)
		if len(ignored) != 1 || ignored[0].From != "b@example.com" || ignored[0].To != "quote" {
			t.Errorf("mail.ignored %+v", ignored)
		}

		// Refusals change nothing.
		before := len(f.events(0))
		for _, bad := range []engine.InboundMail{
			{Recipient: "other@example.com", FromAddr: "c@example.com", Subject: "engines"},
			{Recipient: "sales@example.com", FromAddr: "c@example.com", Subject: "engines\x1b[31m"},
			{Recipient: "sales@example.com", FromAddr: "not an address", Subject: "engines"},
			{Recipient: "sales@example.com", FromAddr: "c@example.com", FromName: "C\u0085", Subject: "engines"},
		} {
			if _, err := f.e.ReceiveMail(f.ctx, bad); err == nil {
				t.Errorf("%+v was taken", bad)
			}
		}
		if n := len(f.events(0)); n != before {
			t.Errorf("refused mail wrote %d events", n-before)
		}
	})
}

func TestMailSettings(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	kw, err := f.e.Setting(f.ctx, f.owner, engine.SettingMailKeywords)
	if err != nil || len(kw.List) != 10 || kw.List[0] != "quote" || kw.IsSet {
		t.Errorf("mail_keywords by default: %+v %v", kw, err)
	}
	for _, tc := range []struct{ key, value string }{
		{engine.SettingMailRecipients, "sales"},
		{engine.SettingMailRecipients, "Sales <sales@example.com>"},
		{engine.SettingMailKeywords, "!!!"},
	} {
		err := f.e.SetSetting(f.ctx, f.owner, tc.key, tc.value)
		mustKind(t, err, engine.KindInvalid)
	}
	ok, err := f.e.MailRecipientAllowed(f.ctx, "sales@example.com")
	if err != nil || ok {
		t.Errorf("with no mail_recipients, sales@example.com is taken: %v %v", ok, err)
	}
}
