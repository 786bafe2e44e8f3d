package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
)

func (a *app) ruleCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rule",
		Short: "Manage the routing rules and their order",
		Long: "Rules are evaluated in order (position 1 first). A rule's condition is an expression over\n" +
			"the lead: " + strings.Join(engine.ConditionNames, ", ") + ". Example:\n" +
			`  source in ["facebook","tiktok"] && fields.budget > 5000 && "vip" in tags`,
		Args: usageArgs(cobra.NoArgs),
		RunE: showHelp,
	}
	cmd.AddCommand(a.ruleAddCmd(), a.ruleListCmd(), a.ruleSetCmd(), a.ruleMoveCmd(), a.ruleRmCmd(),
		a.ruleEnableCmd(true), a.ruleEnableCmd(false))
	return cmd
}

// ruleFlags are the definition flags rule add and rule set share.
type ruleFlags struct {
	name, condition, mode, access, duration string
	sla, slaAction                          string
	to                                      []string
	disabled                                bool
}

func (f *ruleFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.name, "name", "", "the rule's name")
	fl.StringVar(&f.condition, "if", "", "the condition (empty: every lead)")
	fl.StringVar(&f.mode, "mode", "round_robin", "round_robin, load_balance or broadcast")
	fl.StringSliceVar(&f.to, "to", nil, "recipients in rotation order: HANDLE, HANDLE:PER_ROUND, team:NAME or team:NAME:PER_ROUND (empty: every agent with the agent role)")
	fl.StringVar(&f.access, "access", "", "broadcast: the shares' access, read or edit (default read)")
	fl.StringVar(&f.duration, "for", "", "broadcast: how long the shares last, e.g. 48h or 7d (empty: until revoked)")
	fl.StringVar(&f.sla, "sla", "", "owner rules: time to first contact, e.g. 90s, 15m or 4h (empty: none)")
	fl.StringVar(&f.slaAction, "sla-action", "", "what a missed SLA does: reroute (default), unassign or notify")
	fl.BoolVar(&f.disabled, "disabled", false, "save the rule switched off")
}

// apply writes the flags that were given over spec.
func (f *ruleFlags) apply(cmd *cobra.Command, spec *engine.RuleSpec) error {
	fl := cmd.Flags()
	if fl.Changed("name") {
		spec.Name = f.name
	}
	if fl.Changed("if") {
		spec.Condition = f.condition
	}
	if fl.Changed("mode") || spec.Mode == "" {
		m, err := engine.ParseMode(f.mode)
		if err != nil {
			return usageError{err}
		}
		spec.Mode = m
	}
	if fl.Changed("to") {
		recips, err := engine.ParseRecipients(strings.Join(f.to, ","))
		if err != nil {
			return usageError{fmt.Errorf("--to: %w", err)}
		}
		spec.Recipients = recips
	}
	if fl.Changed("access") {
		acc, err := engine.ParseAccess(f.access)
		if err != nil {
			return usageError{err}
		}
		spec.ShareAccess = acc
	}
	if fl.Changed("for") {
		spec.ShareDuration = 0
		if f.duration != "" {
			d, err := engine.ParseDuration(f.duration)
			if err != nil {
				return usageError{err}
			}
			spec.ShareDuration = d
		}
	}
	if fl.Changed("sla") {
		d, err := engine.ParseSLA(f.sla)
		if err != nil {
			return usageError{err}
		}
		spec.SLA = d
	}
	if fl.Changed("sla-action") {
		act, err := engine.ParseSLAAction(strings.TrimSpace(f.slaAction))
		if err != nil {
			return usageError{fmt.Errorf("--sla-action: %w", err)}
		}
		spec.SLAAction = act
	}
	if fl.Changed("disabled") {
		on := !f.disabled
		spec.Enabled = &on
	}
	return nil
}

func (a *app) ruleAddCmd() *cobra.Command {
	var f ruleFlags
	cmd := &cobra.Command{
		Use:   "add --name NAME [flags]",
		Short: "Add a rule at the end of the order",
		Example: `  switchboard rule add --name "social, big budget" --if 'source in ["facebook","tiktok"] && fields.budget > 5000' --to alice:2,bob
  switchboard rule add --name "everyone else" --mode load_balance --sla 15m --sla-action reroute
  switchboard rule add --name "managers watch VIPs" --mode broadcast --if '"vip" in tags' --to carol --for 7d`,
		Args: usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			var spec engine.RuleSpec
			if err := f.apply(cmd, &spec); err != nil {
				return err
			}
			return a.withEngine(func(s *session) error {
				r, err := s.eng.CreateRule(ctx(cmd), engine.System(), spec)
				if err != nil {
					return err
				}
				return a.done(r, "Added rule #%d at position %d: %s", r.ID, r.Position, r.Describe())
			})
		}),
	}
	f.register(cmd)
	return cmd
}

func (a *app) ruleListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the rules in evaluation order",
		Args:    usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			return a.withEngine(func(s *session) error {
				rules, err := s.eng.Rules(ctx(cmd), engine.System())
				if err != nil {
					return err
				}
				t := table{header: []string{"POS", "ID", "NAME", "ON", "MODE", "IF", "TO", "SLA"}}
				for _, r := range rules {
					on := "yes"
					if !r.Enabled {
						on = "no"
					}
					var to []string
					for _, rc := range r.Recipients {
						name := rc.Agent
						if rc.TeamID != 0 {
							name = "team:" + rc.Team
						}
						if rc.PerRound > 1 {
							name += fmt.Sprintf("×%d", rc.PerRound)
						}
						to = append(to, name)
					}
					recips := strings.Join(to, ", ")
					if recips == "" {
						recips = "(every agent)"
					}
					if r.Mode == engine.Broadcast {
						until := "until revoked"
						if r.ShareDuration > 0 {
							until = "for " + engine.FormatDuration(r.ShareDuration)
						}
						recips += fmt.Sprintf(" (%s, %s)", r.ShareAccess, until)
					}
					cond := r.Condition
					if cond == "" {
						cond = "(every lead)"
					}
					slaText := "-"
					if r.SLA > 0 {
						slaText = engine.FormatDuration(r.SLA) + " " + string(r.SLAAction)
					}
					t.add(strconv.Itoa(r.Position), "#"+strconv.FormatInt(r.ID, 10), r.Name, on, r.Mode.Label(), cond, recips, slaText)
				}
				return a.emit(nonNil(rules), t)
			})
		}),
	}
}

func ruleID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%q is not a rule id: see `switchboard rule list`", s)
	}
	return id, nil
}

func (a *app) ruleSetCmd() *cobra.Command {
	var f ruleFlags
	cmd := &cobra.Command{
		Use:     "set ID [flags]",
		Short:   "Change a rule; the flags not given keep their values, and the rotation carries on",
		Example: "  switchboard rule set 3 --to alice,bob:2,carol\n  switchboard rule set 3 --if 'fields.budget > 10000'\n  switchboard rule set 3 --sla 15m --sla-action unassign\n  switchboard rule set 3 --sla ''   # no SLA",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			id, err := ruleID(args[0])
			if err != nil {
				return err
			}
			if !anyChanged(cmd, "name", "if", "mode", "to", "access", "for", "sla", "sla-action", "disabled") {
				return usagef("nothing to change: give one or more of --name, --if, --mode, --to, --access, --for, --sla, --sla-action, --disabled")
			}
			return a.withEngine(func(s *session) error {
				c, sys := ctx(cmd), engine.System()
				r, err := s.eng.Rule(c, sys, id)
				if err != nil {
					return err
				}
				spec := r.Spec()
				if err := f.apply(cmd, &spec); err != nil {
					return err
				}
				r, err = s.eng.UpdateRule(c, sys, id, spec)
				if err != nil {
					return err
				}
				return a.done(r, "Rule #%d: %s", r.ID, r.Describe())
			})
		}),
	}
	f.register(cmd)
	return cmd
}

func (a *app) ruleMoveCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "move ID POSITION",
		Short:   "Move a rule to a position (1: evaluated first)",
		Example: "  switchboard rule move 5 1",
		Args:    usageArgs(cobra.ExactArgs(2)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			id, err := ruleID(args[0])
			if err != nil {
				return err
			}
			pos, err := strconv.Atoi(args[1])
			if err != nil {
				return usagef("%q is not a position: 1 is evaluated first", args[1])
			}
			return a.withEngine(func(s *session) error {
				r, err := s.eng.MoveRule(ctx(cmd), engine.System(), id, pos)
				if err != nil {
					return err
				}
				return a.done(r, "Rule #%d is now at position %d.", r.ID, r.Position)
			})
		}),
	}
}

func (a *app) ruleRmCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rm ID",
		Short: "Delete a rule; the rules after it move up",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			id, err := ruleID(args[0])
			if err != nil {
				return err
			}
			return a.withEngine(func(s *session) error {
				if err := s.eng.DeleteRule(ctx(cmd), engine.System(), id); err != nil {
					return err
				}
				return a.done(map[string]int64{"deleted": id}, "Deleted rule #%d.", id)
			})
		}),
	}
}

func (a *app) ruleEnableCmd(on bool) *cobra.Command {
	use, short, word := "enable ID", "Switch a rule on", "on"
	if !on {
		use, short, word = "disable ID", "Switch a rule off (it is skipped until enabled)", "off"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			id, err := ruleID(args[0])
			if err != nil {
				return err
			}
			return a.withEngine(func(s *session) error {
				r, err := s.eng.SetRuleEnabled(ctx(cmd), engine.System(), id, on)
				if err != nil {
					return err
				}
				return a.done(r, "Rule #%d (%s) is %s.", r.ID, r.Name, word)
			})
		}),
	}
}

func anyChanged(cmd *cobra.Command, names ...string) bool {
	for _, n := range names {
		if cmd.Flags().Changed(n) {
			return true
		}
	}
	return false
}
