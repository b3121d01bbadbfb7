package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestQuickstart runs the walk-through on the emulator and checks what it
// prints.
func TestQuickstart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the emulator; skipped in -short mode")
	}
	t.Setenv("SUPABASE_URL", "")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	err := run(ctx, &out)
	if err != nil && strings.Contains(err.Error(), "no PostgreSQL server available") {
		t.Skipf("no PostgreSQL for the emulator: %v", err)
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{
		"inserted #1 Denmark",
		"   Portugal                   10400000\n   Denmark                     5900000\n",
		"Denmark: Copenhagen, Aarhus, Odense",
		"Norway now has 5600000 people",
		"Japan: 123900000",
		"Kenya: 55100000",
		"deleted 1 row(s): Portugal",
		"4 countries, 2 in Europe",
		"one select returned 1000 rows; All iterated over 2500 (sum of values 312375.0)",
		"qs_population_of('Europe') = 11500000",
		"get_user: user",
		`downloaded "Hello from supakit!"`,
		`serves "Hello from supakit!" without credentials (HTTP 200)`,
		"Done.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out.String())
	}
}
