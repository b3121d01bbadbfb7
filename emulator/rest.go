package emulator

import (
	"context"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"
)

// restService is what the gateway needs from the PostgREST engine.
type restService interface {
	http.Handler
	Reload(ctx context.Context) error
	Close()
}

// newREST builds the PostgREST engine; a nil service (and nil error) means
// this build has none, and /rest/v1 answers 501.
func newREST(ctx context.Context, pool *pgxpool.Pool, cfg Config) (restService, error) {
	_, _, _ = ctx, pool, cfg
	return nil, nil
}
