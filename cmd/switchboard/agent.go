package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
)

func (a *app) agentCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Manage the team: add, list, change and remove agents and their SSH keys",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  showHelp,
	}
	cmd.AddCommand(a.agentAddCmd(), a.agentListCmd(), a.agentSetCmd(), a.agentRmCmd(), a.agentKeyCmd(), a.agentWebhookSecretCmd())
	return cmd
}

// agentFlags are the settings agent add and agent set share.
type agentFlags struct {
	name, email, role, presence, webhook string
	capacity, dailyCap                   int
	emailNotify                          bool
	tz, schedule, awayUntil              string
	autoPresence                         bool
}

func (f *agentFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.name, "name", "", "the agent's name")
	fl.StringVar(&f.email, "email", "", "e-mail address (for notifications)")
	fl.StringVar(&f.role, "role", "", "owner, admin, dispatcher or agent")
	fl.StringVar(&f.presence, "presence", "", "available, busy, away or offline (only available agents get leads)")
	fl.IntVar(&f.capacity, "capacity", 0, "most open leads at once (0: no limit)")
	fl.IntVar(&f.dailyCap, "daily-cap", 0, "most automatic assignments per day (0: no limit)")
	fl.BoolVar(&f.emailNotify, "email-notify", false, "send notifications by e-mail")
	fl.StringVar(&f.webhook, "webhook-url", "", "POST notifications to this URL (empty: none)")
	fl.StringVar(&f.tz, "tz", "", "the IANA time zone of the agent's schedule, e.g. Europe/Berlin (empty: the server's)")
	fl.StringVar(&f.schedule, "schedule", "", `working hours, e.g. "mon-fri 09:00-12:30; mon-fri 13:30-18:00" (empty: always); outside them no leads`)
	fl.BoolVar(&f.autoPresence, "auto-presence", true, "let the setting auto_away set the agent away without a console session, and back when one opens")
}

func checkLimits(capacity, dailyCap int) error {
	if capacity < 0 || dailyCap < 0 {
		return usagef("--capacity and --daily-cap must be 0 (no limit) or more")
	}
	return nil
}

func (a *app) agentAddCmd() *cobra.Command {
	var f agentFlags
	cmd := &cobra.Command{
		Use:     "add HANDLE --name NAME [flags]",
		Short:   "Add an agent (offline, with the agent role, unless told otherwise)",
		Example: "  switchboard agent add bob --name 'Bob Stone' --email bob@example.com --presence available --capacity 20",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			if err := checkLimits(f.capacity, f.dailyCap); err != nil {
				return err
			}
			return a.withEngine(func(s *session) error {
				ag, err := s.eng.AddAgent(ctx(cmd), engine.System(), engine.NewAgent{
					Handle: args[0], Name: f.name, Email: f.email, Role: engine.Role(f.role),
					Presence: engine.Presence(f.presence), Capacity: f.capacity, DailyCap: f.dailyCap,
					EmailNotify: f.emailNotify, WebhookURL: f.webhook, TZ: f.tz, Schedule: f.schedule,
					AutoPresence: &f.autoPresence,
				})
				if err != nil {
					return err
				}
				if err := a.done(ag, "Added %s (%s), %s, %s.", ag.Handle, ag.Name, ag.Role, ag.Presence); err != nil {
					return err
				}
				a.tellWebhookSecret(ag)
				return nil
			})
		}),
	}
	f.register(cmd)
	return cmd
}

func (a *app) agentListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the team with each agent's presence and load",
		Args:    usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			return a.withEngine(func(s *session) error {
				agents, err := s.eng.Agents(ctx(cmd), engine.System())
				if err != nil {
					return err
				}
				t := table{header: []string{"HANDLE", "NAME", "ROLE", "PRESENCE", "WHEN", "OPEN", "CAPACITY", "TODAY", "DAILY CAP", "TEAMS", "SESSIONS", "EMAIL", "NOTIFY"}}
				now, loc := s.eng.Now(), s.eng.Location()
				for _, ag := range agents {
					var notify []string
					if ag.EmailNotify {
						notify = append(notify, "e-mail")
					}
					if ag.WebhookURL != "" {
						notify = append(notify, "webhook")
					}
					t.add(ag.Handle, ag.Name, string(ag.Role), string(ag.Presence), orDash(whenWorking(ag, now, loc)), fmt.Sprint(ag.OpenLeads),
						limitText(ag.Capacity), fmt.Sprint(ag.AssignedToday), limitText(ag.DailyCap), orDash(strings.Join(ag.TeamList(), ",")),
						fmt.Sprint(ag.Sessions), orDash(ag.Email), orDash(strings.Join(notify, ", ")))
				}
				if agents == nil {
					agents = []engine.Agent{}
				}
				return a.emit(agents, t)
			})
		}),
	}
}

func (a *app) agentSetCmd() *cobra.Command {
	var f agentFlags
	cmd := &cobra.Command{
		Use:   "set HANDLE [flags]",
		Short: "Change an agent: presence, away until, schedule, capacity, daily cap, role, name, e-mail, notifications",
		Example: "  switchboard agent set bob --presence away\n  switchboard agent set bob --away-until 'tomorrow 09:00'\n" +
			"  switchboard agent set bob --tz America/New_York --schedule 'mon-fri 09:00-17:00'\n" +
			"  switchboard agent set bob --capacity 0 --daily-cap 25 --email-notify",
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			var u engine.AgentUpdate
			fl := cmd.Flags()
			if fl.Changed("name") {
				u.Name = &f.name
			}
			if fl.Changed("email") {
				u.Email = &f.email
			}
			if fl.Changed("role") {
				r := engine.Role(f.role)
				u.Role = &r
			}
			if fl.Changed("presence") {
				p := engine.Presence(f.presence)
				u.Presence = &p
			}
			if fl.Changed("capacity") {
				u.Capacity = &f.capacity
			}
			if fl.Changed("daily-cap") {
				u.DailyCap = &f.dailyCap
			}
			if fl.Changed("email-notify") {
				u.EmailNotify = &f.emailNotify
			}
			if fl.Changed("webhook-url") {
				u.WebhookURL = &f.webhook
			}
			if fl.Changed("tz") {
				u.TZ = &f.tz
			}
			if fl.Changed("schedule") {
				u.Schedule = &f.schedule
			}
			if fl.Changed("away-until") {
				u.AwayUntil = &f.awayUntil
			}
			if fl.Changed("auto-presence") {
				u.AutoPresence = &f.autoPresence
			}
			if u == (engine.AgentUpdate{}) {
				return usagef("nothing to change: give one or more of --presence, --away-until, --tz, --schedule, --auto-presence, --capacity, --daily-cap, --role, --name, --email, --email-notify, --webhook-url")
			}
			if err := checkLimits(f.capacity, f.dailyCap); err != nil {
				return err
			}
			return a.withEngine(func(s *session) error {
				ag, err := s.eng.UpdateAgent(ctx(cmd), engine.System(), args[0], u)
				if err != nil {
					return err
				}
				presence := string(ag.Presence)
				if w := whenWorking(ag, s.eng.Now(), s.eng.Location()); w != "" {
					presence += " (" + w + ")"
				}
				if err := a.done(ag, "%s: %s, %s, capacity %s, daily cap %s.", ag.Handle, ag.Role, presence, limitText(ag.Capacity), limitText(ag.DailyCap)); err != nil {
					return err
				}
				if fl.Changed("webhook-url") {
					a.tellWebhookSecret(ag)
				}
				return nil
			})
		}),
	}
	f.register(cmd)
	cmd.Flags().StringVar(&f.awayUntil, "away-until", "", `away until then, back by itself: "2h", "tomorrow 09:00", "fri 09:00", "2026-12-24" (in the agent's zone; empty: clear it)`)
	return cmd
}

// whenWorking says when the agent is back or on, as the console's board does: "away
// until 14:00", "off until 09:00 Tue CET", "on until 17:00".
func whenWorking(ag engine.Agent, now time.Time, loc *time.Location) string {
	if !ag.AwayUntil.IsZero() {
		return "away until " + ag.When(ag.AwayUntil, now, loc)
	}
	return ag.ScheduleState(now, loc)
}

func (a *app) agentRmCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rm HANDLE",
		Short: "Remove an agent: its open leads return to the queue, its shares and keys end",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(s *session) error {
				if err := s.eng.RemoveAgent(ctx(cmd), engine.System(), args[0]); err != nil {
					return err
				}
				return a.done(map[string]string{"removed": args[0]}, "Removed %s; its open leads are back in the queue.", args[0])
			})
		}),
	}
}

func (a *app) agentKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Manage an agent's SSH public keys",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  showHelp,
	}
	cmd.AddCommand(&cobra.Command{
		Use:     "add HANDLE PUBKEY_FILE",
		Short:   "Register an SSH public key (- reads it from standard input); it works at the next login",
		Example: "  switchboard agent key add bob bob.pub\n  ssh-add -L | head -1 | switchboard agent key add bob -",
		Args:    usageArgs(cobra.ExactArgs(2)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			line, err := readKey(args[1], a.stdin)
			if err != nil {
				return err
			}
			return a.withEngine(func(s *session) error {
				k, err := s.eng.AddKey(ctx(cmd), engine.System(), args[0], line)
				if err != nil {
					return err
				}
				return a.done(keyJSON(k), "Added key %s to %s.", k.Fingerprint, args[0])
			})
		}),
	}, &cobra.Command{
		Use:   "rm HANDLE FINGERPRINT",
		Short: "Remove a key, named by its fingerprint (or a unique prefix of 8 or more characters, or its id)",
		Args:  usageArgs(cobra.ExactArgs(2)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(s *session) error {
				if err := s.eng.RemoveKey(ctx(cmd), engine.System(), args[0], args[1]); err != nil {
					return err
				}
				return a.done(map[string]string{"agent": args[0], "removed": args[1]}, "Removed key %s from %s.", args[1], args[0])
			})
		}),
	}, &cobra.Command{
		Use:     "list HANDLE",
		Aliases: []string{"ls"},
		Short:   "List an agent's keys",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(s *session) error {
				keys, err := s.eng.Keys(ctx(cmd), engine.System(), args[0])
				if err != nil {
					return err
				}
				t := table{header: []string{"ID", "FINGERPRINT", "TYPE", "COMMENT", "ADDED"}}
				out := make([]map[string]any, 0, len(keys))
				for _, k := range keys {
					typ, _, _ := strings.Cut(k.PublicKey, " ")
					t.add(fmt.Sprint(k.ID), k.Fingerprint, typ, orDash(k.Comment), when(k.CreatedAt))
					out = append(out, keyJSON(k))
				}
				return a.emit(out, t)
			})
		}),
	})
	return cmd
}

func keyJSON(k engine.Key) map[string]any {
	return map[string]any{"id": k.ID, "fingerprint": k.Fingerprint, "public_key": k.PublicKey, "comment": k.Comment, "created_at": k.CreatedAt.UTC()}
}

// withEngine opens the database (which must exist) for one command and closes it
// after. Input the engine refuses as invalid is a usage error (exit 2).
func (a *app) withEngine(fn func(*session) error) error {
	s, err := a.openEngine(false, engine.Options{TailInterval: -1})
	if err != nil {
		return err
	}
	defer s.Close()
	err = fn(s)
	if engine.KindOf(err) == engine.KindInvalid {
		return usageError{err}
	}
	return err
}

// tellWebhookSecret shows the person who set an agent's webhook the key its receiver
// needs to check X-Switchboard-Signature. It goes to stderr, so that --format json on
// stdout stays the agent alone.
func (a *app) tellWebhookSecret(ag engine.Agent) {
	if ag.WebhookURL == "" {
		return
	}
	fmt.Fprintf(a.stderr, "Webhook secret for %s (HMAC-SHA256 key of X-Switchboard-Signature): %s\n", ag.Handle, ag.WebhookSecret)
}

func (a *app) agentWebhookSecretCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "webhook-secret HANDLE",
		Short: "Print the key that signs an agent's webhooks (X-Switchboard-Signature)",
		Long: `Print the HMAC-SHA256 key of an agent's webhook, for the receiver to check the
X-Switchboard-Signature header of each notification. Setting a new --webhook-url makes
a new key. The team webhook's key is 'switchboard setting get webhook_secret'.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(s *session) error {
				ag, err := s.eng.Agent(ctx(cmd), engine.System(), args[0])
				if err != nil {
					return err
				}
				if ag.WebhookURL == "" {
					return fmt.Errorf("%s has no webhook: set one with agent set %s --webhook-url URL", ag.Handle, ag.Handle)
				}
				if a.format == formatJSON {
					return a.printJSON(map[string]string{"agent": ag.Handle, "webhook_url": ag.WebhookURL, "webhook_secret": ag.WebhookSecret})
				}
				fmt.Fprintln(a.stdout, ag.WebhookSecret)
				return nil
			})
		}),
	}
}
