package tui

import "github.com/switchboard/switchboard/engine/textguard"

// The console draws text that strangers wrote: a lead posted from a web form, a field
// key from a CSV header, an agent's name. The engine refuses control characters at
// every door, but the database may hold text written before it did, or by hand, and one
// ESC or C1 control drawn raw would drive the terminal of everyone watching. So every
// text from the engine passes through textguard.Strip before it is drawn: the shared
// model's rows once, when it makes them (leadmodel.RowOf), events where they are
// summarised (eventSummary), and everything else (names, rules, notifications, the
// lead detail, toasts and errors) where it is drawn, through clean.
var clean = textguard.Strip
