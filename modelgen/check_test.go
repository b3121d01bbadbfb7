package modelgen_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/modelgen"
)

// TestCheckDrift generates models, changes the schema, and expects -check
// to name each difference.
func TestCheckDrift(t *testing.T) {
	dbURL := freshDB(t)
	dir := t.TempDir()
	ctx := context.Background()
	var stdout, stderr bytes.Buffer
	gen := []string{"-db", dbURL, "-out", dir, "-pkg", "models", "-per-table", "-relations"}
	if code := modelgen.Run(ctx, gen, &stdout, &stderr); code != modelgen.ExitOK {
		t.Fatalf("generate: exit %d: %s", code, stderr.String())
	}
	check := append(gen, "-check")
	stdout.Reset()
	if code := modelgen.Run(ctx, check, &stdout, &stderr); code != modelgen.ExitOK {
		t.Fatalf("check right after generating: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "match the schema") {
		t.Fatalf("check output: %q", stdout.String())
	}

	execSQL(t, dbURL,
		"alter table countries drop column population",
		"alter table countries rename column continent to region",
		"alter table cities alter column name drop not null",
		"alter table products alter column weight type double precision",
		"alter table orders add column coupon text",
		"alter table order_items add column note text",
		"drop view order_totals",
		"create table reviews (id bigint primary key, body text)",
		"alter type order_status add value 'refunded'",
	)
	stderr.Reset()
	code := modelgen.Run(ctx, check, &stdout, &stderr)
	if code != modelgen.ExitDrift {
		t.Fatalf("check after the changes: exit %d, want %d: %s", code, modelgen.ExitDrift, stderr.String())
	}
	out := stderr.String()
	for _, want := range []string{
		"table countries: column population (Country.Population): not in the database",
		"table countries: column continent (Country.Continent): not in the database (renamed to region?)",
		"table countries: column region: in the database, not in the model",
		"table cities: column name: made nullable (model string, database *string)",
		"table products: column weight: retyped (model *float32, database *float64)",
		"table orders: column coupon: in the database, not in the model",
		"table order_totals (OrderTotal in order_total.go): not in the database",
		"table reviews: in the database, no model (would be Review)",
		`enum OrderStatus: label "refunded" in the database, not in the model`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}

	// the API form
	db, err := modelgen.FromPostgres(ctx, dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	diffs, err := modelgen.Check(dir, db, modelgen.Config{Package: "models", PerTable: true, Relations: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 10 {
		t.Errorf("Check found %d differences, want 10:\n%s", len(diffs), strings.Join(diffs, "\n"))
	}
	de := &modelgen.DriftError{Differences: diffs}
	if !errors.Is(de, modelgen.ErrDrift) {
		t.Error("DriftError does not match ErrDrift")
	}

	// regenerating removes the dropped view's file and clears the drift
	if code := modelgen.Run(ctx, gen, &stdout, &stderr); code != modelgen.ExitOK {
		t.Fatalf("regenerate: exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "order_total.go")); !os.IsNotExist(err) {
		t.Errorf("order_total.go still there after the view was dropped (%v)", err)
	}
	stderr.Reset()
	if code := modelgen.Run(ctx, check, &stdout, &stderr); code != modelgen.ExitOK {
		t.Fatalf("check after regenerating: exit %d: %s", code, stderr.String())
	}
}

// TestCheckHandWritten checks models that were not generated.
func TestCheckHandWritten(t *testing.T) {
	dbURL := freshDB(t)
	dir := t.TempDir()
	src := `package app

type Country struct {
	ID   int64  ` + "`db:\"id,pk,readonly\"`" + `
	Name string ` + "`db:\"name\"`" + `
	Flag string ` + "`db:\"flag\"`" + `
	Cities []struct{} ` + "`db:\"cities,rel\"`" + `
}

func (Country) TableName() string { return "countries" }
`
	if err := os.WriteFile(filepath.Join(dir, "country.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	db, err := modelgen.FromPostgres(ctx, dbURL, []string{"public"})
	if err != nil {
		t.Fatal(err)
	}
	diffs, err := modelgen.Check(dir, db, modelgen.Config{Include: []string{"countries"}})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(diffs, "\n")
	for _, want := range []string{
		"column flag (Country.Flag): not in the database",
		"column code: in the database, not in the model",
		"column created_at: in the database, not in the model",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("differences lack %q:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "cities") {
		t.Errorf("a relation field was compared as a column:\n%s", joined)
	}
	if _, err := modelgen.Check(t.TempDir(), db, modelgen.Config{}); !errors.Is(err, modelgen.ErrConfig) {
		t.Errorf("Check of a folder without models = %v, want ErrConfig", err)
	}
}
