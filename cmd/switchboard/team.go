package main

import (
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
)

func (a *app) teamCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "team",
		Short: "Manage teams: named, ordered lists of agents that rules can route to",
		Long: "A team is a name and an ordered list of agents; an agent may be in several. A rule's\n" +
			"recipient may be a team (rule add --to team:emea, or team:emea:2 for two leads a turn): it\n" +
			"stands for the members as they are when a lead is routed, so changing a team needs no\n" +
			"rule edit. A team a rule names cannot be removed.",
		Args: usageArgs(cobra.NoArgs),
		RunE: showHelp,
	}
	cmd.AddCommand(a.teamAddCmd(), a.teamSetCmd(), a.teamRmCmd(), a.teamListCmd())
	return cmd
}

// members reads member handles given as arguments, each possibly a comma-separated
// list: "ana bob" and "ana,bob" are the same.
func members(args []string) []string {
	out := []string{}
	for _, arg := range args {
		out = append(out, strings.FieldsFunc(arg, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })...)
	}
	return out
}

func (a *app) teamAddCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "add NAME [HANDLE…]",
		Short:   "Make a team of the agents given, in order",
		Example: "  switchboard team add emea ana bob carl\n  switchboard rule add --name europe --to team:emea",
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(s *session) error {
				tm, err := s.eng.CreateTeam(ctx(cmd), engine.System(), args[0], members(args[1:]))
				if err != nil {
					return err
				}
				return a.done(tm, "Made team %s: %s.", tm.Name, memberText(tm))
			})
		}),
	}
}

func (a *app) teamSetCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "set NAME [HANDLE…]",
		Short: "Replace a team's members (in order); rules that name the team follow",
		Long: "Replace a team's members, in order. Rules that name the team route to the new members\n" +
			"from the next lead; each rule's rotation keeps its place: a new member waits until the\n" +
			"rotation reaches it, and a member who leaves passes its turn on.",
		Example: "  switchboard team set emea ana bob carl dora",
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(s *session) error {
				tm, err := s.eng.SetTeam(ctx(cmd), engine.System(), args[0], members(args[1:]))
				if err != nil {
					return err
				}
				return a.done(tm, "Team %s: %s.", tm.Name, memberText(tm))
			})
		}),
	}
}

func (a *app) teamRmCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove a team no rule names",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(s *session) error {
				if err := s.eng.DeleteTeam(ctx(cmd), engine.System(), args[0]); err != nil {
					return err
				}
				return a.done(map[string]string{"removed": args[0]}, "Removed team %s.", args[0])
			})
		}),
	}
}

func (a *app) teamListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the teams and their members, in order",
		Args:    usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			return a.withEngine(func(s *session) error {
				teams, err := s.eng.Teams(ctx(cmd), engine.System())
				if err != nil {
					return err
				}
				t := table{header: []string{"TEAM", "MEMBERS"}}
				for _, tm := range teams {
					t.add(tm.Name, orDash(strings.Join(tm.Handles(), ", ")))
				}
				if teams == nil {
					teams = []engine.Team{}
				}
				return a.emit(teams, t)
			})
		}),
	}
}

func memberText(tm engine.Team) string {
	if len(tm.Members) == 0 {
		return "no members"
	}
	return strings.Join(tm.Handles(), ", ")
}
