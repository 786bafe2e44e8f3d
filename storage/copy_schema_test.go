package storage

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard/switchboard/storage/postgres"
	"github.com/switchboard/switchboard/storage/postgres/pgtest"
	"github.com/switchboard/switchboard/storage/sqlite"
)

// TestCopyCoversTheSchemas: migrate copies every table and every column that each
// store's migrations make, so that a new table or column cannot be left behind.
func TestCopyCoversTheSchemas(t *testing.T) {
	want := map[string][]string{}
	for _, tb := range team {
		for _, c := range tb.columns {
			want[tb.name] = append(want[tb.name], c.name)
		}
		sort.Strings(want[tb.name])
	}

	path := filepath.Join(t.TempDir(), "schema.db")
	st, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := map[string][]string{}
	rows, err := db.Query(`SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' ORDER BY m.name, p.name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tb, col string
		if err := rows.Scan(&tb, &col); err != nil {
			t.Fatal(err)
		}
		got[tb] = append(got[tb], col)
	}
	rows.Close()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SQLite's tables and columns:\n%v\nmigrate copies:\n%v", got, want)
	}

	if pgtest.Server() == "" {
		t.Skip(pgtest.SkipMessage)
	}
	url := pgtest.NewDatabase(t)
	pg, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pg.Close()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	got = map[string][]string{}
	prow, err := conn.Query(context.Background(), `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name NOT IN ('journal', 'switchboard_schema')
		ORDER BY table_name, column_name COLLATE "C"`)
	if err != nil {
		t.Fatal(err)
	}
	for prow.Next() {
		var tb, col string
		if err := prow.Scan(&tb, &col); err != nil {
			t.Fatal(err)
		}
		got[tb] = append(got[tb], col)
	}
	prow.Close()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PostgreSQL's tables and columns:\n%v\nmigrate copies:\n%v", got, want)
	}
}
