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
)

func (a *app) reportCmd() *cobra.Command {
	var since, until string
	cmd := &cobra.Command{
		Use:   "report [flags]",
		Short: "Show the team's stats: leads, speed, SLAs, agents, sources and rules",
		Long: "report shows the figures of GET /v1/stats for a window of time: leads created in it,\n" +
			"assignments by rules and by people, first contacts, the time to assign and to first\n" +
			"contact (p50, p90), SLAs met and missed, each agent, source and rule, and how fairly\n" +
			"each round-robin rule shared its leads out. --format json prints the API's object as\n" +
			"it is; --format csv one figure a line (section, name, figure, value), for spreadsheets.",
		Example: "  switchboard report\n  switchboard report --since 30d --format csv > month.csv\n  switchboard report --since 2026-11-01T00:00:00Z --until 2026-12-01T00:00:00Z --format json",
		Args:    usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			now := time.Now()
			var q engine.StatsQuery
			var err error
			if q.Since, err = parseTimeFlag("--since", since, now); err != nil {
				return err
			}
			if until != "" {
				if q.Until, err = parseTimeFlag("--until", until, now); err != nil {
					return err
				}
			} else if d, err := engine.ParseDuration(since); err == nil {
				q.Since, q.Last = time.Time{}, d // --since 7d alone: the seven days up to now, exactly
			}
			return a.withEngine(func(s *session) error {
				st, err := s.eng.Stats(ctx(cmd), engine.System(), q)
				if err != nil {
					return err
				}
				return a.printReport(st)
			})
		}),
	}
	f := cmd.Flags()
	f.StringVar(&since, "since", "7d", "the window's start: a duration back from now (24h, 7d, 30d) or a time (2026-01-02T15:04:05Z)")
	f.StringVar(&until, "until", "", "the window's end, written as --since (default: now)")
	return cmd
}

// parseTimeFlag reads a point in time as a duration back from now or an RFC 3339 time.
func parseTimeFlag(flag, s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := engine.ParseDuration(s)
	if err != nil {
		return time.Time{}, usagef("%s %q is neither a duration (90m, 24h, 7d) nor a time like 2026-01-02T15:04:05Z", flag, s)
	}
	return now.Add(-d), nil
}

func (a *app) printReport(st engine.Stats) error {
	switch a.format {
	case formatJSON:
		return a.printJSON(st)
	case formatCSV:
		return a.printReportCSV(st)
	}
	w := a.stdout
	span := st.Until.Sub(st.Since).Seconds()
	fmt.Fprintf(w, "Stats from %s to %s (%s)\n\n", when(st.Since), when(st.Until), engine.SecondsText(&span))
	l := st.Leads
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Leads created\t%d\n", l.Created)
	fmt.Fprintf(tw, "Assigned\t%d by rules, %d by people\n", l.AssignedAuto, l.AssignedManual)
	fmt.Fprintf(tw, "First contacts\t%d\n", l.Contacted)
	fmt.Fprintf(tw, "In the queue now\t%d\n", l.QueuedNow)
	fmt.Fprintf(tw, "Time to assign\tp50 %s, p90 %s\n", engine.SecondsText(st.TimeToAssign.P50), engine.SecondsText(st.TimeToAssign.P90))
	fmt.Fprintf(tw, "Time to first contact\tp50 %s, p90 %s\n", engine.SecondsText(st.TimeToFirstContact.P50), engine.SecondsText(st.TimeToFirstContact.P90))
	fmt.Fprintf(tw, "SLAs\t%d met, %d missed\n", st.SLA.Met, st.SLA.Missed)
	if err := tw.Flush(); err != nil {
		return err
	}

	sections := []table{{header: []string{"AGENT", "ASSIGNED", "CONTACTED", "FIRST CONTACT P50", "SLA MISSED", "OPEN NOW"}}}
	for _, ag := range st.Agents {
		sections[0].add(ag.Agent, itoa(ag.Assigned), itoa(ag.Contacted), engine.SecondsText(ag.TimeToFirstContactP50), itoa(ag.SLAMissed), itoa(ag.OpenNow))
	}
	sources := table{header: []string{"SOURCE", "CREATED", "ASSIGNED", "CONTACTED"}}
	for _, s := range st.Sources {
		sources.add(s.Source, itoa(s.Created), itoa(s.Assigned), itoa(s.Contacted))
	}
	rules := table{header: []string{"RULE", "NAME", "MATCHED", "ASSIGNED", "SHARE OF ASSIGNMENTS (EXPECTED)"}}
	for _, r := range st.Rules {
		var fair []string
		for _, f := range r.Fairness {
			fair = append(fair, fmt.Sprintf("%s %s (%s)", f.Agent, percent(f.ActualShare), percent(&f.ExpectedShare)))
		}
		share := strings.Join(fair, ", ")
		if r.Fairness == nil {
			share = "-"
		}
		rules.add(idText(r.Rule), r.Name, itoa(r.Matched), itoa(r.Assigned), share)
	}
	for _, t := range append(sections, sources, rules) {
		fmt.Fprintln(w)
		if err := a.emit(nil, t); err != nil {
			return err
		}
	}
	return nil
}

// printReportCSV writes one figure a line: section, name, figure, value. Figures with
// no data are empty; shares are fractions, times seconds.
func (a *app) printReportCSV(st engine.Stats) error {
	w := csv.NewWriter(a.stdout)
	row := func(section, name, figure, value string) { writeSafeCSV(w, []string{section, name, figure, value}) }
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	row("section", "name", "figure", "value")
	row("window", "", "since", st.Since.Format(time.RFC3339))
	row("window", "", "until", st.Until.Format(time.RFC3339))
	l := st.Leads
	for _, c := range []struct {
		figure string
		n      int
	}{{"created", l.Created}, {"assigned_auto", l.AssignedAuto}, {"assigned_manual", l.AssignedManual},
		{"queued_now", l.QueuedNow}, {"contacted", l.Contacted}} {
		row("leads", "", c.figure, itoa(c.n))
	}
	row("time_to_assign", "", "p50_s", num(st.TimeToAssign.P50))
	row("time_to_assign", "", "p90_s", num(st.TimeToAssign.P90))
	row("time_to_first_contact", "", "p50_s", num(st.TimeToFirstContact.P50))
	row("time_to_first_contact", "", "p90_s", num(st.TimeToFirstContact.P90))
	row("sla", "", "met", itoa(st.SLA.Met))
	row("sla", "", "missed", itoa(st.SLA.Missed))
	for _, ag := range st.Agents {
		row("agent", ag.Agent, "assigned", itoa(ag.Assigned))
		row("agent", ag.Agent, "contacted", itoa(ag.Contacted))
		row("agent", ag.Agent, "time_to_first_contact_p50_s", num(ag.TimeToFirstContactP50))
		row("agent", ag.Agent, "sla_missed", itoa(ag.SLAMissed))
		row("agent", ag.Agent, "open_now", itoa(ag.OpenNow))
	}
	for _, s := range st.Sources {
		row("source", s.Source, "created", itoa(s.Created))
		row("source", s.Source, "assigned", itoa(s.Assigned))
		row("source", s.Source, "contacted", itoa(s.Contacted))
	}
	for _, r := range st.Rules {
		name := idText(r.Rule) + " " + r.Name
		row("rule", name, "matched", itoa(r.Matched))
		row("rule", name, "assigned", itoa(r.Assigned))
		for _, f := range r.Fairness {
			row("fairness", name+": "+f.Agent, "expected_share", num(&f.ExpectedShare))
			row("fairness", name+": "+f.Agent, "actual_share", num(f.ActualShare))
		}
	}
	w.Flush()
	return w.Error()
}

// percent writes a share for people: "67%", "-" for none.
func percent(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v*100, 'f', 0, 64) + "%"
}

func itoa(n int) string { return strconv.Itoa(n) }
