package main

import (
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/textguard"
)

func (a *app) historyCmd() *cobra.Command {
	var (
		q     engine.HistoryQuery
		lead  string
		since string
		limit int
	)
	cmd := &cobra.Command{
		Use:   "history [flags]",
		Short: "Show the history of changes, newest first",
		Long: "history lists what happened, newest first: who did it (an agent, rule:ID, api:TOKEN,\n" +
			"import:FILE or system), what it touched and why. --kind takes a kind (lead.routed) or a\n" +
			"subject (lead, share, agent, rule, token, setting, notification).",
		Example: "  switchboard history --lead 42\n  switchboard history --kind notification --since 24h\n  switchboard history --agent bob --since 7d --limit 0 --format csv > bob.csv",
		Args:    usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			if lead != "" {
				id, err := leadID(lead)
				if err != nil {
					return err
				}
				q.LeadID = id
			}
			if since != "" {
				t, err := parseTimeFlag("--since", since, time.Now())
				if err != nil {
					return err
				}
				q.Since = t
			}
			if limit < 0 {
				return usagef("--limit must be 0 (everything) or more")
			}
			return a.withEngine(func(s *session) error {
				return a.printHistory(cmd, s, q, limit)
			})
		}),
	}
	f := cmd.Flags()
	f.StringVar(&lead, "lead", "", "only this lead's events")
	f.StringVar(&q.Agent, "agent", "", "only events that touch this agent or that it did")
	f.StringVar(&q.Kind, "kind", "", "only this kind (lead.routed) or subject (lead, share, agent, rule, token, notification)")
	f.StringVar(&since, "since", "", "only events this recent (90m, 24h, 7d) or after this time (2026-01-02T15:04:05Z)")
	f.IntVar(&limit, "limit", 50, "at most this many events (0: all of them)")
	return cmd
}

// printHistory streams the events page by page, so that --limit 0 on a long history
// never holds it all in memory (the table is the exception: it aligns its columns).
func (a *app) printHistory(cmd *cobra.Command, s *session, q engine.HistoryQuery, limit int) error {
	header := []string{"ID", "AT", "ACTOR", "KIND", "LEAD", "AGENT", "RULE", "CHANGE"}
	var (
		tw      *tabwriter.Writer
		cw      *csv.Writer
		printed int
	)
	switch a.format {
	case formatJSON:
		fmt.Fprint(a.stdout, "[")
	case formatCSV:
		cw = csv.NewWriter(a.stdout)
		writeSafeCSV(cw, header)
	default:
		tw = tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(header, "\t"))
	}
	for {
		q.Limit = 1000
		if limit > 0 && limit-printed < q.Limit {
			q.Limit = limit - printed
		}
		page, err := s.eng.History(ctx(cmd), engine.System(), q)
		if err != nil {
			return err
		}
		for _, ev := range page.Items {
			row := []string{strconv.FormatInt(ev.ID, 10), when(ev.At), ev.Actor, string(ev.Kind), idText(ev.LeadID), orDash(ev.Agent), idText(ev.RuleID), describeEvent(ev)}
			switch {
			case cw != nil:
				row[1] = ev.At.UTC().Format(time.RFC3339)
				writeSafeCSV(cw, row)
			case tw != nil:
				for i := range row {
					row[i] = oneLine(row[i])
				}
				fmt.Fprintln(tw, strings.Join(row, "\t"))
			default:
				sep := ",\n  "
				if printed == 0 {
					sep = "\n  "
				}
				b, err := ev.MarshalJSON()
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%s%s", sep, textguard.EscapeJSON(b))
			}
			printed++
		}
		q.Cursor = page.Next
		if page.Next == "" || (limit > 0 && printed >= limit) {
			break
		}
	}
	switch {
	case cw != nil:
		cw.Flush()
		return cw.Error()
	case tw != nil:
		if printed == 0 {
			fmt.Fprintln(a.stdout, "(none)")
			return nil
		}
		return tw.Flush()
	}
	if printed > 0 {
		fmt.Fprint(a.stdout, "\n")
	}
	fmt.Fprintln(a.stdout, "]")
	return nil
}

// describeEvent says on one line what an event changed and why.
func describeEvent(ev engine.Event) string {
	if ev.Routing != nil {
		return ev.Routing.Explain()
	}
	if ev.Kind == engine.EvAgentChanged || ev.Kind == engine.EvAgentPresence || ev.Kind == engine.EvSetting {
		// These name the changed field or setting in Reason: "capacity: 10 → 20".
		from, to := ev.From, ev.To
		if from == "" {
			from = "(none)"
		}
		if to == "" {
			to = "(none)"
		}
		return ev.Reason + ": " + from + " → " + to
	}
	if ev.Kind == engine.EvLeadSLAMissed {
		return ev.Reason // "bob missed the 15m SLA by 2s: re-routed to carol"
	}
	var parts []string
	switch {
	case ev.From != "" && ev.To != "":
		parts = append(parts, ev.From+" → "+ev.To)
	case ev.To != "":
		parts = append(parts, ev.To)
	case ev.From != "":
		parts = append(parts, "was "+ev.From)
	}
	if ev.Reason != "" {
		parts = append(parts, ev.Reason)
	}
	return strings.Join(parts, ": ")
}
