// Command modelgen generates Go models for supakit's Repo[T] from a live
// schema: a PostgreSQL catalog (-db) or PostgREST's OpenAPI document
// (-url, -key). With -check it exits 1, naming each difference, when the
// models no longer match the schema. See package
// github.com/supakit/supakit/modelgen for the output and the type mapping.
//
//	//go:generate go run github.com/supakit/supakit/cmd/modelgen -db $DATABASE_URL -out ./models -relations
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/supakit/supakit/modelgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := modelgen.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
