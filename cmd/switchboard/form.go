package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/httpapi"
)

func (a *app) formCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "form",
		Short: "Manage web forms that post leads without a token",
		Long: "A web form posts to POST /v1/forms/KEY with no token: the key, made by `form create`, names\n" +
			"the form, and the form gives every lead its source. Pages of the form's origins may post\n" +
			"from a browser; a request without an Origin header (a server, curl) is accepted too. The\n" +
			"key can do nothing but create leads, so it may sit in a public page. History records each\n" +
			"submission as form:NAME. `form html` prints a complete page to start from.",
		Args: usageArgs(cobra.NoArgs),
		RunE: showHelp,
	}
	cmd.AddCommand(a.formCreateCmd(), a.formListCmd(), a.formRemoveCmd(), a.formHTMLCmd())
	return cmd
}

func (a *app) formCreateCmd() *cobra.Command {
	var in engine.NewForm
	cmd := &cobra.Command{
		Use:   "create --name NAME [--source S] [--redirect URL] [--origin ORIGIN]…",
		Short: "Create a web form and print its key alone on standard output",
		Example: "  switchboard form create --name site --source web --redirect https://example.com/thanks \\\n" +
			"    --origin https://example.com --origin https://www.example.com",
		Args: usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			if in.Name == "" {
				return usagef("form create needs --name NAME")
			}
			return a.withEngine(func(s *session) error {
				f, err := s.eng.CreateForm(ctx(cmd), engine.System(), in)
				if err != nil {
					return err
				}
				if a.format == formatJSON {
					return a.printJSON(f)
				}
				fmt.Fprintln(a.stdout, f.Key)
				fmt.Fprintf(a.stderr, "Created form %q (source %s): pages post to /v1/forms/%s\n", f.Name, f.Source, f.Key)
				if len(f.Origins) == 0 {
					fmt.Fprintln(a.stderr, "No --origin given: browsers will be refused (403); only servers and scripts without an Origin header can post.")
				}
				return nil
			})
		}),
	}
	cmd.Flags().StringVar(&in.Name, "name", "", "the form's name (history shows form:NAME)")
	cmd.Flags().StringVar(&in.Source, "source", "web", "the source of the leads it creates")
	cmd.Flags().StringVar(&in.Redirect, "redirect", "", "where a browser goes after submitting (default: a short thank-you page)")
	cmd.Flags().StringArrayVar(&in.Origins, "origin", nil, "a site whose pages may post from a browser, as scheme://host[:port] (repeat for more)")
	return cmd
}

func (a *app) formListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the web forms with their keys",
		Args:    usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			return a.withEngine(func(s *session) error {
				forms, err := s.eng.Forms(ctx(cmd), engine.System())
				if err != nil {
					return err
				}
				t := table{header: []string{"NAME", "SOURCE", "KEY", "ORIGINS", "REDIRECT", "SPAM DROPPED", "CREATED", "BY"}}
				for _, f := range forms {
					t.add(f.Name, f.Source, f.Key, orDash(strings.Join(f.Origins, " ")), orDash(f.Redirect),
						fmt.Sprint(f.Dropped), when(f.CreatedAt), f.CreatedBy)
				}
				return a.emit(nonNil(forms), t)
			})
		}),
	}
}

func (a *app) formRemoveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove a web form: its key stops working at once",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(s *session) error {
				f, err := s.eng.DeleteForm(ctx(cmd), engine.System(), args[0])
				if err != nil {
					return err
				}
				return a.done(f, "Removed form %q: its key now gets 404, also on a serve already running.", f.Name)
			})
		}),
	}
}

func (a *app) formHTMLCmd() *cobra.Command {
	var base string
	cmd := &cobra.Command{
		Use:     "html NAME [--url BASE]",
		Short:   "Print a complete contact page that posts to the form",
		Example: "  switchboard form html site --url https://leads.example.com > contact.html",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(s *session) error {
				forms, err := s.eng.Forms(ctx(cmd), engine.System())
				if err != nil {
					return err
				}
				for _, f := range forms {
					if f.Name == args[0] {
						fmt.Fprint(a.stdout, httpapi.FormPage(base, f))
						return nil
					}
				}
				return fmt.Errorf("no form is named %q: see the forms with `switchboard form list`", args[0])
			})
		}),
	}
	cmd.Flags().StringVar(&base, "url", "http://localhost:8080", "where the page's visitors reach switchboard's HTTP API")
	return cmd
}
