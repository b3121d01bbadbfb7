package emulator

import (
	"context"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/supakit/supakit/emulator/internal/rest"
)

// restService is what the gateway needs from the PostgREST engine.
type restService interface {
	http.Handler
	Reload(ctx context.Context) error
	Close()
}

var _ restService = (*rest.Handler)(nil)

// newREST builds the PostgREST engine over pool.
func newREST(ctx context.Context, pool *pgxpool.Pool, cfg Config) (restService, error) {
	return rest.New(ctx, pool, rest.Config{
		Schemas:          cfg.Schemas,
		MaxRows:          cfg.MaxRows,
		StatementTimeout: cfg.StatementTimeout,
		MaxBodyBytes:     cfg.MaxBodyBytes,
	})
}
