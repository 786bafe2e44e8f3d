package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
)

func (a *app) tokenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Manage HTTP API tokens",
		Long: "An API token is sent as `Authorization: Bearer TOKEN`. An intake token may only create\n" +
			"leads; an admin token acts with admin rights. History records a token's actions as api:NAME.\n" +
			"Only a hash of each token is stored: the token is shown once, when it is created.",
		Args: usageArgs(cobra.NoArgs),
		RunE: showHelp,
	}
	cmd.AddCommand(a.tokenCreateCmd(), a.tokenListCmd(), a.tokenRevokeCmd())
	return cmd
}

func (a *app) tokenCreateCmd() *cobra.Command {
	var name, role string
	cmd := &cobra.Command{
		Use:     "create --name NAME --role intake|admin",
		Short:   "Create a token and print it, once, alone on standard output",
		Example: "  switchboard token create --name webform --role intake > webform.token",
		Args:    usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			if name == "" || role == "" {
				return usagef("token create needs --name NAME and --role intake or admin")
			}
			r, err := engine.ParseTokenRole(role)
			if err != nil {
				return usageError{err}
			}
			return a.withEngine(func(s *session) error {
				tok, secret, err := s.eng.CreateToken(ctx(cmd), engine.System(), name, r)
				if err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, secret)
				fmt.Fprintf(a.stderr, "Created %s token %q. Keep it now: it is not shown again.\n", tok.Role, tok.Name)
				return nil
			})
		}),
	}
	cmd.Flags().StringVar(&name, "name", "", "what the token is for (history shows api:NAME)")
	cmd.Flags().StringVar(&role, "role", "", "intake (may only create leads) or admin")
	return cmd
}

func (a *app) tokenListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the tokens, revoked ones too",
		Args:    usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			return a.withEngine(func(s *session) error {
				toks, err := s.eng.Tokens(ctx(cmd), engine.System())
				if err != nil {
					return err
				}
				t := table{header: []string{"NAME", "ROLE", "PREFIX", "STATUS", "CREATED", "BY", "REVOKED"}}
				for _, tk := range toks {
					status := "active"
					if !tk.Active() {
						status = "revoked"
					}
					t.add(tk.Name, string(tk.Role), tk.Prefix+"…", status, when(tk.CreatedAt), tk.CreatedBy, when(tk.RevokedAt))
				}
				return a.emit(nonNil(toks), t)
			})
		}),
	}
}

func (a *app) tokenRevokeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke NAME",
		Short: "Stop a token from working, at once",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(s *session) error {
				tok, err := s.eng.RevokeToken(ctx(cmd), engine.System(), args[0])
				if err != nil {
					return err
				}
				// True of a serve running on this database too: it looks the token up
				// on every request.
				return a.done(tok, "Revoked token %q: requests with it now get 401, also on a serve already running.", tok.Name)
			})
		}),
	}
}
