package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
)

// settingKeys are the team settings, in the order `setting list` shows them. The
// webhook secret can be read, never set: switchboard makes it when webhook_url is first
// set.
var settingKeys = []struct {
	key      string
	settable bool
	about    string
}{
	{engine.SettingCompany, true, `the team's company: e-mail says "sent to you by NAME at COMPANY"`},
	{engine.SettingWebhookURL, true, "a webhook sent every e-mail-worthy notification, for a team chat channel"},
	{engine.SettingWebhookSecret, false, "the HMAC key of X-Switchboard-Signature on the global webhook (read only)"},
}

func settingKey(key string, set bool) error {
	var names []string
	for _, k := range settingKeys {
		if k.key == key && (k.settable || !set) {
			return nil
		}
		if k.settable || !set {
			names = append(names, k.key)
		}
	}
	if key == engine.SettingWebhookSecret {
		return usagef("%s cannot be set: it is made when webhook_url is first set", key)
	}
	return usagef("unknown setting %q: use %s", key, strings.Join(names, ", "))
}

func (a *app) settingCmd() *cobra.Command {
	var about strings.Builder
	for _, k := range settingKeys {
		fmt.Fprintf(&about, "\n  %-15s %s", k.key, k.about)
	}
	cmd := &cobra.Command{
		Use:   "setting",
		Short: "Read and change team settings (company name, global webhook)",
		Long: "Team settings, changed by admins and recorded in history:" + about.String() + "\n\n" +
			"Setting a value to \"\" clears it.",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(a.settingGetCmd(), a.settingSetCmd(), a.settingListCmd())
	return cmd
}

type settingJSON struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func (a *app) settingGetCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "get KEY",
		Short:   "Print one setting's value (empty when unset)",
		Example: "  switchboard setting get webhook_secret   # to check signatures on your receiver",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			key := args[0]
			if err := settingKey(key, false); err != nil {
				return err
			}
			return a.withEngine(func(s *session) error {
				v, err := s.eng.Setting(ctx(cmd), engine.System(), key)
				if err != nil {
					return err
				}
				if a.format == formatJSON {
					return a.printJSON(settingJSON{key, v})
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
		Short: "Change a setting (\"\" clears it)",
		Example: "  switchboard setting set company \"Acme Sales\"\n" +
			"  switchboard setting set webhook_url https://hooks.slack.com/services/T000/B000/XXXX\n" +
			"  switchboard setting set webhook_url \"\"   # no global webhook",
		Args: usageArgs(cobra.ExactArgs(2)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			key, value := args[0], strings.TrimSpace(args[1])
			if err := settingKey(key, true); err != nil {
				return err
			}
			return a.withEngine(func(s *session) error {
				if err := s.eng.SetSetting(ctx(cmd), engine.System(), key, value); err != nil {
					return err
				}
				out := settingJSON{key, value}
				switch {
				case value == "":
					return a.done(out, "Cleared %s.", key)
				case key == engine.SettingWebhookURL:
					return a.done(out, "Set %s to %s.\nIts requests are signed with the key `switchboard setting get %s` prints.",
						key, value, engine.SettingWebhookSecret)
				}
				return a.done(out, "Set %s to %q.", key, value)
			})
		}),
	}
}

func (a *app) settingListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "Show every setting (the webhook secret only as set or not)",
		Args:    cobra.NoArgs,
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			return a.withEngine(func(s *session) error {
				var items []settingJSON
				t := table{header: []string{"KEY", "VALUE"}}
				for _, k := range settingKeys {
					v, err := s.eng.Setting(ctx(cmd), engine.System(), k.key)
					if err != nil {
						return err
					}
					if k.key == engine.SettingWebhookSecret && v != "" {
						v = "(set: switchboard setting get " + k.key + ")"
					}
					items = append(items, settingJSON{k.key, v})
					shown := v
					if shown == "" {
						shown = "-"
					}
					t.add(k.key, shown)
				}
				return a.emit(items, t)
			})
		}),
	}
}
