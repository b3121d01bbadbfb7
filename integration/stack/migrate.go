package stack

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// MigrationSource holds *.sql files, applied in name order.
type MigrationSource = fs.FS

// MigrationFiles returns the names of the *.sql files of src at its root,
// sorted.
func MigrationFiles(src MigrationSource) ([]string, error) {
	entries, err := fs.ReadDir(src, ".")
	if err != nil {
		return nil, fmt.Errorf("stack: read migrations: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// ApplyMigrations runs every *.sql file of src on the database at dbURL, in
// name order, each in one transaction. The files must be idempotent: they
// run again on a reused database.
func ApplyMigrations(ctx context.Context, dbURL string, src MigrationSource) error {
	if src == nil {
		return nil
	}
	names, err := MigrationFiles(src)
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("stack: connect to apply migrations: %w", redactErr(err, dbURL))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, name := range names {
		b, err := fs.ReadFile(src, path.Clean(name))
		if err != nil {
			return fmt.Errorf("stack: migration %s: %w", name, err)
		}
		if err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// No arguments: pgx sends the file with the simple protocol, so
			// it may hold many statements.
			_, err := tx.Exec(ctx, string(b))
			return err
		}); err != nil {
			return fmt.Errorf("stack: migration %s: %w", name, err)
		}
	}
	return nil
}

// redactErr keeps a connection URL's password out of an error message.
func redactErr(err error, dbURL string) error {
	pw := passwordOf(dbURL)
	if pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), pw, "xxxxx"))
}

func passwordOf(dbURL string) string {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return ""
	}
	return cfg.Password
}
