package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
)

func (a *app) initCmd() *cobra.Command {
	var owner, name, email, keyFile string
	cmd := &cobra.Command{
		Use:   "init --owner HANDLE --name NAME [--key PUBKEY_FILE]",
		Short: "Create the database and its first owner",
		Long: "init creates the database (see --db) and its first agent, with the owner role and the SSH\n" +
			"public key that lets the owner into the console over SSH. It runs once per database.",
		Example: "  switchboard init --owner alice --name 'Alice Martin' --key ~/.ssh/id_ed25519.pub",
		Args:    usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			if owner == "" || name == "" {
				return usagef("init needs --owner HANDLE and --name NAME")
			}
			if err := engine.ValidHandle(owner); err != nil {
				return usageError{err}
			}
			var key string
			if keyFile != "" {
				var err error
				if key, err = readKey(keyFile, a.stdin); err != nil {
					return err
				}
			}
			s, err := a.openEngine(true, engine.Options{TailInterval: -1})
			if err != nil {
				return err
			}
			defer s.Close()
			c, sys := ctx(cmd), engine.System()
			team, err := s.eng.Agents(c, sys)
			if err != nil {
				return err
			}
			if len(team) > 0 {
				return fmt.Errorf("%s already has a team: init runs once; add people with `switchboard agent add`", s.path)
			}
			ag, err := s.eng.AddAgent(c, sys, engine.NewAgent{Handle: owner, Name: name, Email: email, Role: engine.RoleOwner})
			if err != nil {
				return err
			}
			keyNote := "no SSH key yet: add one with `switchboard agent key add " + owner + " KEYFILE`"
			if key != "" {
				k, err := s.eng.AddKey(c, sys, owner, key)
				if err != nil {
					return err
				}
				keyNote = "SSH key " + k.Fingerprint
			}
			return a.done(ag, "Created %s with owner %s (%s), %s.\nNext: `switchboard token create --name NAME --role intake` for the API, then `switchboard serve`.",
				s.path, ag.Handle, ag.Name, keyNote)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&owner, "owner", "", "the owner's handle (also the SSH user name)")
	f.StringVar(&name, "name", "", "the owner's name")
	f.StringVar(&email, "email", "", "the owner's e-mail address")
	f.StringVar(&keyFile, "key", "", "the owner's SSH public key file (- reads standard input)")
	return cmd
}

// readKey reads the first key line of an authorized_keys-style file and checks it.
func readKey(path string, stdin io.Reader) (string, error) {
	var r io.Reader = stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("reading the key: %w", err)
		}
		defer f.Close()
		r = f
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if _, err := engine.ParseKey(line); err != nil {
			return "", fmt.Errorf("%s: %w (give the .pub file, not the private key)", path, err)
		}
		return line, nil
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return "", fmt.Errorf("%s holds no SSH public key", path)
}
