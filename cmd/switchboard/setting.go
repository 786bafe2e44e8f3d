package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
)

// settingKey checks a key against the engine's settings registry; settable asks for
// one that people may set.
func settingKey(key string, settable bool) error {
	var names []string
	for _, d := range engine.SettingDefs() {
		if d.Key == key {
			if settable && d.ReadOnly {
				return usagef("%s cannot be set: switchboard makes it (%s)", key, d.About)
			}
			return nil
		}
		if !settable || !d.ReadOnly {
			names = append(names, d.Key)
		}
	}
	return usagef("unknown setting %q: use %s", key, strings.Join(names, ", "))
}

func (a *app) settingCmd() *cobra.Command {
	var about strings.Builder
	for _, d := range engine.SettingDefs() {
		fmt.Fprintf(&about, "\n  %-16s %-8s %s", d.Key, d.Kind, d.About)
	}
	cmd := &cobra.Command{
		Use:   "setting",
		Short: "Read and change team settings (company, webhook, SLA, hand-off…)",
		Long: "Team settings, changed by admins and recorded in history (settings.changed):" + about.String() + "\n\n" +
			"Durations are written like 90s, 15m, 4h, 7d; \"\" turns one off. Lists are items separated by\n" +
			"commas. `setting unset KEY` puts a setting back to its default.",
		Args: cobra.NoArgs,
		RunE: showHelp,
	}
	cmd.AddCommand(a.settingListCmd(), a.settingGetCmd(), a.settingSetCmd(), a.settingUnsetCmd())
	return cmd
}

type settingJSON struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

func (a *app) settingGetCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "get KEY",
		Short:   "Print one setting's value (empty when off or unset)",
		Example: "  switchboard setting get handoff_after\n  switchboard setting get webhook_secret   # to check signatures on your receiver",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			key := args[0]
			if err := settingKey(key, false); err != nil {
				return err
			}
			return a.withEngine(func(s *session) error {
				st, err := s.eng.Setting(ctx(cmd), engine.System(), key)
				if err != nil {
					return err
				}
				v := st.Value
				if st.Kind == engine.ListSetting {
					v = strings.Join(st.List, ", ")
				}
				if a.format == formatJSON {
					jv := st.JSONValue()
					if st.Kind == engine.SecretSetting {
						jv = st.Value // the owner's CLI reads the secret itself
					}
					return a.printJSON(settingJSON{key, jv})
				}
				fmt.Fprintln(a.stdout, v)
				return nil
			})
		}),
	}
}

func (a *app) settingSetCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Change a setting (\"\" turns it off or clears it)",
		Example: "  switchboard setting set company \"Acme Sales\"\n" +
			"  switchboard setting set sla_manual 15m       # manual assignments must be contacted within 15 minutes\n" +
			"  switchboard setting set handoff_after 10m    # an agent away 10 minutes loses its uncontacted leads\n" +
			"  switchboard setting set webhook_url https://hooks.slack.com/services/T000/B000/XXXX\n" +
			"  switchboard setting set webhook_url \"\"       # no global webhook",
		Args: usageArgs(cobra.ExactArgs(2)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			key, value := args[0], args[1]
			if err := settingKey(key, true); err != nil {
				return err
			}
			return a.withEngine(func(s *session) error {
				all, err := s.eng.ChangeSettings(ctx(cmd), engine.System(), []engine.SettingChange{{Key: key, Text: value}})
				if err != nil {
					return err
				}
				st := findSetting(all, key)
				out := settingJSON{key, st.JSONValue()}
				switch {
				case st.Kind == engine.DurationSetting && st.Value == "":
					return a.done(out, "Turned %s off.", key)
				case st.Kind != engine.ListSetting && st.Value == "", st.Kind == engine.ListSetting && len(st.List) == 0:
					return a.done(out, "Cleared %s.", key)
				case key == engine.SettingWebhookURL:
					return a.done(out, "Set %s to %s.\nIts requests are signed with the key `switchboard setting get %s` prints.",
						key, st.Value, engine.SettingWebhookSecret)
				}
				return a.done(out, "Set %s to %s.", key, quoteSetting(st))
			})
		}),
	}
}

func (a *app) settingUnsetCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "unset KEY",
		Short:   "Put a setting back to its default",
		Example: "  switchboard setting unset handoff_after",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			key := args[0]
			if err := settingKey(key, true); err != nil {
				return err
			}
			return a.withEngine(func(s *session) error {
				all, err := s.eng.ChangeSettings(ctx(cmd), engine.System(), []engine.SettingChange{{Key: key, Unset: true}})
				if err != nil {
					return err
				}
				st := findSetting(all, key)
				return a.done(settingJSON{key, st.JSONValue()}, "%s is back to its default: %s.", key, st.Display())
			})
		}),
	}
}

func (a *app) settingListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "Show every setting (the webhook secret only as set or not)",
		Long: "Show every setting (`switchboard setting --help` says what each does). --format json prints\n" +
			"the API's settings object (GET /v1/settings) as it is.",
		Args: cobra.NoArgs,
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			return a.withEngine(func(s *session) error {
				all, err := s.eng.Settings(ctx(cmd), engine.System())
				if err != nil {
					return err
				}
				t := table{header: []string{"KEY", "VALUE"}}
				for _, st := range all {
					shown := st.Display()
					if st.Kind == engine.SecretSetting && st.IsSet {
						shown = "(set: switchboard setting get " + st.Key + ")"
					}
					t.add(st.Key, shown)
				}
				return a.emit(engine.SettingsObject(all), t)
			})
		}),
	}
}

func findSetting(all []engine.Setting, key string) engine.Setting {
	for _, s := range all {
		if s.Key == key {
			return s
		}
	}
	return engine.Setting{}
}

// quoteSetting writes a value for a sentence: a text quoted, a duration or list as is.
func quoteSetting(s engine.Setting) string {
	switch s.Kind {
	case engine.TextSetting:
		return fmt.Sprintf("%q", s.Value)
	case engine.ListSetting:
		return strings.Join(s.List, ", ")
	}
	return s.Value
}
