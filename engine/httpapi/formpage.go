package httpapi

import (
	"html/template"
	"strings"

	"github.com/switchboard/switchboard/engine"
)

// formPage is a complete contact page whose form posts to a switchboard form: the
// fields a lead is made of, a message, and the honeypot, hidden from people (and from
// screen readers and the tab order), which bots fill in.
var formPage = template.Must(template.New("form").Parse(`<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Contact us</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem; }
  label { display: block; margin: .75rem 0; }
  input, textarea { display: block; width: 100%; box-sizing: border-box; padding: .4rem; font: inherit; }
  .hp { position: absolute; left: -9999px; }
</style>
<h1>Contact us</h1>
<form method="post" action="{{.Action}}">
  <label>Name <input name="name" autocomplete="name" required maxlength="200"></label>
  <label>E-mail <input name="email" type="email" autocomplete="email" maxlength="254"></label>
  <label>Phone <input name="phone" type="tel" autocomplete="tel" maxlength="50"></label>
  <label>Company <input name="company" autocomplete="organization" maxlength="200"></label>
  <label>Message <textarea name="message" rows="5" maxlength="1000"></textarea></label>
  <div class="hp" aria-hidden="true"><input name="_gotcha" tabindex="-1" autocomplete="off"></div>
  <button type="submit">Send</button>
</form>
</html>
`))

// FormPage is a complete HTML page whose form posts to form f on the switchboard at
// base (http://host:port, as the page's visitors reach it).
func FormPage(base string, f engine.Form) string {
	var b strings.Builder
	formPage.Execute(&b, struct{ Action string }{FormAction(base, f)})
	return b.String()
}

// FormAction is the URL a page posts form f to.
func FormAction(base string, f engine.Form) string {
	return strings.TrimRight(base, "/") + "/v1/forms/" + f.Key
}
