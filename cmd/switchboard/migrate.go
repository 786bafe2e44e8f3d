package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/storage"
)

func (a *app) migrateCmd() *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "migrate --to postgres://…",
		Short: "Copy the team from its SQLite file into an empty PostgreSQL database",
		Long: "migrate copies everything in the SQLite database (--db) – agents and their keys, leads, rules\n" +
			"and their rotations, shares, history, notifications, the outbox, tokens, settings, daily\n" +
			"counts – into the PostgreSQL database --to names, in one transaction, and checks that both\n" +
			"hold the same number of rows in every table before it commits. The PostgreSQL database\n" +
			"must exist and be empty. Ids, history and every rotation go on where they stopped.\n" +
			"Stop serve first: what it writes after the copy began stays behind in the file.",
		Example: "  switchboard --db team.db migrate --to postgres://switchboard@db.internal/switchboard",
		Args:    usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			if to == "" {
				return usagef("migrate needs --to postgres://…, the database to copy the team into")
			}
			if k, err := storage.KindOf(to); err != nil || k != storage.Postgres {
				return usagef("--to must be a postgres:// URL (got %s)", storage.Redact(to))
			}
			path, err := a.databasePath()
			if err != nil {
				return err
			}
			if k, err := storage.KindOf(path); err != nil || k != storage.SQLite {
				return usagef("migrate copies from a SQLite file (--db); %s is not one", storage.Redact(path))
			}
			if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("no database at %s: point --db at the team's SQLite file", path)
			}
			copied, err := storage.CopyToPostgres(ctx(cmd), path, to, storage.Options{})
			if err != nil {
				return err
			}
			t := table{header: []string{"TABLE", "ROWS"}}
			type row struct {
				Table string `json:"table"`
				Rows  int64  `json:"rows"`
			}
			var rows []row
			for _, c := range copied {
				t.add(c.Table, strconv.FormatInt(c.Rows, 10))
				rows = append(rows, row{c.Table, c.Rows})
			}
			if a.format == formatTable {
				fmt.Fprintf(a.stdout, "Copied %s into %s; every table counts the same on both sides:\n", path, storage.Redact(to))
			}
			return a.emit(rows, t)
		}),
	}
	cmd.Flags().StringVar(&to, "to", "", "the PostgreSQL database to copy into (postgres://…); it must be empty")
	return cmd
}
