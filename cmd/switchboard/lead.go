package main

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/csvimport"
)

func (a *app) leadCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lead",
		Short: "Add, list, show, assign, unassign, share leads and set their status",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  showHelp,
	}
	cmd.AddCommand(a.leadAddCmd(), a.leadListCmd(), a.leadShowCmd(), a.leadAssignCmd(), a.leadUnassignCmd(), a.leadRouteCmd(), a.leadShareCmd(), a.leadStatusCmd(), a.leadContactCmd())
	return cmd
}

func (a *app) leadAddCmd() *cobra.Command {
	var (
		in     engine.NewLead
		fields []string
	)
	cmd := &cobra.Command{
		Use:     "add [flags]",
		Short:   "Create a lead and route it by the rules",
		Example: "  switchboard lead add --name 'Ada Lovelace' --email ada@example.com --source web --tag vip --field budget=9000",
		Args:    usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			var err error
			if in.Fields, err = parseFields(fields); err != nil {
				return err
			}
			return a.withEngine(func(s *session) error {
				c, err := s.eng.CreateLead(ctx(cmd), engine.System(), in)
				if err != nil {
					return err
				}
				if c.Duplicate {
					return a.done(c.Lead, "Lead #%d already has %s external id %q: nothing was created or routed.", c.Lead.ID, c.Lead.Source, c.Lead.ExternalID)
				}
				return a.done(map[string]any{"lead": c.Lead, "routing": c.Routing}, "Created lead #%d, %s: %s", c.Lead.ID, c.Lead.Title(), c.Routing.Explain())
			})
		}),
	}
	f := cmd.Flags()
	f.StringVar(&in.Name, "name", "", "the person's name")
	f.StringVar(&in.Email, "email", "", "e-mail address")
	f.StringVar(&in.Phone, "phone", "", "phone number")
	f.StringVar(&in.Company, "company", "", "company")
	f.StringVar(&in.Source, "source", "cli", "where the lead comes from")
	f.StringVar(&in.ExternalID, "external-id", "", "the lead's id at its source: a second lead with it is not created")
	f.StringSliceVar(&in.Tags, "tag", nil, "a tag (repeat, or separate with commas)")
	f.StringArrayVar(&fields, "field", nil, "a field as KEY=VALUE (repeat); numbers and true/false keep their type")
	return cmd
}

// parseFields reads KEY=VALUE pairs, typing values as an import does.
func parseFields(pairs []string) (map[string]any, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(pairs))
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, usagef("--field %q: write it as KEY=VALUE", p)
		}
		out[strings.TrimSpace(k)] = csvimport.FieldValue(strings.TrimSpace(v))
	}
	return out, nil
}

func (a *app) leadListCmd() *cobra.Command {
	var (
		q        engine.LeadQuery
		statuses []string
	)
	cmd := &cobra.Command{
		Use:     "list [flags]",
		Aliases: []string{"ls"},
		Short:   "List leads, newest first, a page at a time",
		Example: "  switchboard lead list --unassigned --source facebook\n  switchboard lead list --owner bob --status assigned,contacted --format json",
		Args:    usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			for _, s := range statuses {
				st, err := engine.ParseStatus(strings.TrimSpace(s))
				if err != nil {
					return usageError{err}
				}
				q.Status = append(q.Status, st)
			}
			return a.withEngine(func(s *session) error {
				page, err := s.eng.ListLeads(ctx(cmd), engine.System(), q)
				if err != nil {
					return err
				}
				t := table{header: []string{"ID", "LEAD", "EMAIL", "PHONE", "SOURCE", "STATUS", "OWNER", "CREATED"}}
				for _, l := range page.Items {
					t.add(strconv.FormatInt(l.ID, 10), l.Title(), orDash(l.Email), orDash(l.Phone), l.Source, string(l.Status), orDash(l.Owner), when(l.CreatedAt))
				}
				items := page.Items
				if items == nil {
					items = []engine.Lead{}
				}
				if err := a.emit(map[string]any{"items": items, "next_cursor": page.Next}, t); err != nil {
					return err
				}
				if page.Next != "" && a.format == formatTable {
					fmt.Fprintf(a.stderr, "more: add --cursor %s\n", page.Next)
				}
				return nil
			})
		}),
	}
	f := cmd.Flags()
	f.StringSliceVar(&statuses, "status", nil, "only these statuses (new, assigned, contacted, qualified, won, lost)")
	f.StringVar(&q.Owner, "owner", "", "only this agent's leads")
	f.StringVar(&q.Source, "source", "", "only leads from this source")
	f.StringVar(&q.Tag, "tag", "", "only leads with this tag")
	f.StringVar(&q.Text, "search", "", "only leads whose name, e-mail, phone or company contains this")
	f.BoolVar(&q.Unassigned, "unassigned", false, "only leads in the queue")
	f.BoolVar(&q.Open, "open", false, "only open leads (not won or lost)")
	f.BoolVar(&q.OldestFirst, "oldest-first", false, "oldest first (the queue's order)")
	f.IntVar(&q.Limit, "limit", 50, "leads per page (1–1000)")
	f.StringVar(&q.Cursor, "cursor", "", "the next page, as a previous list printed")
	return cmd
}

// leadID reads a lead id as people write it: 42 or #42.
func leadID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%q is not a lead id: ids are positive whole numbers", s)
	}
	return id, nil
}

func leadIDs(args []string) ([]int64, error) {
	ids := make([]int64, 0, len(args))
	for _, a := range args {
		for _, part := range strings.Split(a, ",") {
			if part == "" {
				continue
			}
			id, err := leadID(part)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func (a *app) leadShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a lead, its shares and its history",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			id, err := leadID(args[0])
			if err != nil {
				return err
			}
			return a.withEngine(func(s *session) error {
				c, sys := ctx(cmd), engine.System()
				d, err := s.eng.Lead(c, sys, id)
				if err != nil {
					return err
				}
				hist, err := s.eng.History(c, sys, engine.HistoryQuery{LeadID: id, Limit: 1000})
				if err != nil {
					return err
				}
				if a.format != formatTable {
					return a.printJSON(map[string]any{"lead": d.Lead, "shares": nonNil(d.Shares), "history": nonNil(hist.Items)})
				}
				a.showLead(d, hist.Items)
				return nil
			})
		}),
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *app) showLead(d engine.LeadDetail, events []engine.Event) {
	l, w := d.Lead, a.stdout
	fmt.Fprintf(w, "Lead #%d  %s\n", l.ID, l.Title())
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %-16s %s\n", k, v)
		}
	}
	row("name", l.Name)
	row("email", l.Email)
	row("phone", l.Phone)
	row("company", l.Company)
	row("source", l.Source)
	row("external id", l.ExternalID)
	row("tags", strings.Join(l.Tags, ", "))
	row("status", string(l.Status))
	row("owner", orDash(l.Owner))
	row("waiting", l.WaitReason)
	row("returning", l.ReturningLabel())
	row("created", when(l.CreatedAt))
	if !l.AssignedAt.IsZero() {
		row("assigned", when(l.AssignedAt))
	}
	if l.Contacted() {
		row("first contact", when(l.FirstContactAt))
	}
	if !l.SLADueAt.IsZero() {
		row("SLA", slaText(l, time.Now()))
	}
	row("missed SLA", strings.Join(d.SLAMissedBy, ", "))
	keys := make([]string, 0, len(l.Fields))
	for k := range l.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		row("fields."+k, fmt.Sprint(l.Fields[k]))
	}
	if len(d.Shares) > 0 {
		fmt.Fprintln(w, "\nShares")
		for _, sh := range d.Shares {
			until := "until revoked"
			if !sh.ExpiresAt.IsZero() {
				until = "until " + when(sh.ExpiresAt)
			}
			fmt.Fprintf(w, "  #%d %s %s, %s, %s (by %s)\n", sh.ID, sh.Agent, sh.Access, sh.Status, until, sh.CreatedBy)
		}
	}
	fmt.Fprintln(w, "\nHistory")
	for i := len(events) - 1; i >= 0; i-- {
		ev := events[i]
		fmt.Fprintf(w, "  %s  %-16s %-18s %s\n", when(ev.At), ev.Kind, ev.Actor, describeEvent(ev))
	}
}

func (a *app) leadAssignCmd() *cobra.Command {
	var to, reason string
	cmd := &cobra.Command{
		Use:     "assign ID... --to HANDLE",
		Short:   "Give leads to an agent, all or none (eligibility is not checked: you decide)",
		Example: "  switchboard lead assign 12 13 14 --to bob --reason 'speaks German'",
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			if to == "" {
				return usagef("assign needs --to HANDLE")
			}
			return a.runBulk(cmd, args, func(c context.Context, eng *engine.Engine, ids []int64) (engine.BulkResult, error) {
				return eng.Assign(c, engine.System(), ids, to, reason)
			}, func(changed, unchanged int) string {
				return fmt.Sprintf("Assigned %d lead(s) to %s; %d already were.", changed, to, unchanged)
			})
		}),
	}
	cmd.Flags().StringVar(&to, "to", "", "the agent's handle")
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the history")
	return cmd
}

func (a *app) leadUnassignCmd() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "unassign ID...",
		Short: "Return leads to the queue, where they wait for a person",
		Args:  usageArgs(cobra.MinimumNArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			return a.runBulk(cmd, args, func(c context.Context, eng *engine.Engine, ids []int64) (engine.BulkResult, error) {
				return eng.Unassign(c, engine.System(), ids, reason)
			}, func(changed, unchanged int) string {
				return fmt.Sprintf("Returned %d lead(s) to the queue; %d had no owner.", changed, unchanged)
			})
		}),
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the history")
	return cmd
}

func (a *app) leadRouteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "route ID...",
		Short: "Run the rules again for leads (queued ones, or to move owned ones)",
		Args:  usageArgs(cobra.MinimumNArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			return a.runBulk(cmd, args, func(c context.Context, eng *engine.Engine, ids []int64) (engine.BulkResult, error) {
				return eng.Reroute(c, engine.System(), ids)
			}, func(changed, unchanged int) string {
				return fmt.Sprintf("Routed %d lead(s) to a new owner; %d stayed where they were.", changed, unchanged)
			})
		}),
	}
}

// runBulk runs one bulk command, all or none, over the leads the arguments name and
// says what it did: said gets how many leads changed and how many were already as asked.
func (a *app) runBulk(cmd *cobra.Command, args []string,
	run func(context.Context, *engine.Engine, []int64) (engine.BulkResult, error), said func(changed, unchanged int) string) error {
	ids, err := leadIDs(args)
	if err != nil {
		return err
	}
	return a.withEngine(func(s *session) error {
		res, err := run(ctx(cmd), s.eng, ids)
		if err != nil {
			return err
		}
		return a.done(bulkJSON(res), "%s", said(len(res.Changed), len(res.Unchanged)))
	})
}

func bulkJSON(res engine.BulkResult) map[string][]int64 {
	return map[string][]int64{"changed": nonNil(res.Changed), "unchanged": nonNil(res.Unchanged)}
}

func (a *app) leadShareCmd() *cobra.Command {
	var to, access, forDur string
	cmd := &cobra.Command{
		Use:     "share ID... --with HANDLE [--access read|edit] [--for DURATION]",
		Short:   "Share leads with an agent, all or none (read access until revoked by default)",
		Example: "  switchboard lead share 12 13 --with carol --access edit --for 48h",
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			if to == "" {
				return usagef("share needs --with HANDLE")
			}
			acc, err := engine.ParseAccess(access)
			if err != nil {
				return usageError{err}
			}
			var d time.Duration
			if forDur != "" {
				if d, err = engine.ParseDuration(forDur); err != nil {
					return usageError{err}
				}
			}
			until := "until revoked"
			if d > 0 {
				until = "for " + engine.FormatDuration(d)
			}
			return a.runBulk(cmd, args, func(c context.Context, eng *engine.Engine, ids []int64) (engine.BulkResult, error) {
				return eng.ShareLeads(c, engine.System(), ids, to, acc, d, "cli")
			}, func(changed, unchanged int) string {
				return fmt.Sprintf("Shared %d lead(s) with %s (%s, %s); %d already were or are %s's own.", changed, to, acc, until, unchanged, to)
			})
		}),
	}
	cmd.Flags().StringVar(&to, "with", "", "the agent's handle")
	cmd.Flags().StringVar(&access, "access", "read", "read or edit")
	cmd.Flags().StringVar(&forDur, "for", "", "how long: 90s, 30m, 48h, 7d, 2w (default: until revoked)")
	return cmd
}

func (a *app) leadStatusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "status ID... contacted|qualified|won|lost",
		Short:   "Set the status of leads, all or none",
		Example: "  switchboard lead status 12 13 won",
		Args:    usageArgs(cobra.MinimumNArgs(2)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			st := engine.Status(args[len(args)-1])
			return a.runBulk(cmd, args[:len(args)-1], func(c context.Context, eng *engine.Engine, ids []int64) (engine.BulkResult, error) {
				return eng.SetStatus(c, engine.System(), ids, st)
			}, func(changed, unchanged int) string {
				return fmt.Sprintf("Marked %d lead(s) %s; %d already were.", changed, st, unchanged)
			})
		}),
	}
	return cmd
}

func (a *app) leadContactCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "contact ID...",
		Short: "Record first contact with leads (they become contacted; their SLA ends), all or none",
		Long: "Record first contact with leads: those not contacted yet move to contacted, which sets\n" +
			"first_contact_at and ends their SLA; leads contacted before keep their status and time.",
		Example: "  switchboard lead contact 12 13",
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			return a.runBulk(cmd, args, func(c context.Context, eng *engine.Engine, ids []int64) (engine.BulkResult, error) {
				return eng.MarkContacted(c, engine.System(), ids)
			}, func(changed, unchanged int) string {
				return fmt.Sprintf("Recorded first contact with %d lead(s); %d had it already.", changed, unchanged)
			})
		}),
	}
}

// slaText says when a lead's SLA is due and what happens then: "due 10:15:00 (12m left),
// then reroute".
func slaText(l engine.Lead, now time.Time) string {
	left := l.SLADueAt.Sub(now).Truncate(time.Second)
	state := engine.FormatDuration(left) + " left"
	if left <= 0 {
		state = "passed"
	}
	return fmt.Sprintf("due %s (%s), then %s", when(l.SLADueAt), state, l.SLAAction)
}
