package repo_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
	"github.com/supakit/supakit/schema"
)

// TestURLTooLongBothPaths checks that a request past the URL limit is
// refused before sending, with query.ErrURLTooLong, by the typed and the
// untyped API alike.
func TestURLTooLongBothPaths(t *testing.T) {
	f, cl := newFake(t)
	c := schema.Cols[Country]()
	names := make([]string, 2000)
	for i := range names {
		names[i] = "country-" + strconv.Itoa(i)
	}
	ctx := context.Background()
	_, err := repo.New[Country](cl).Find(ctx, query.In(&c.Name, names...))
	if !errors.Is(err, query.ErrURLTooLong) || !strings.Contains(err.Error(), "RPC") {
		t.Errorf("typed: %v", err)
	}
	_, err = repo.Table(cl, "countries").Select("*").In("name", names).Execute(ctx)
	if !errors.Is(err, query.ErrURLTooLong) || !strings.Contains(err.Error(), "RPC") {
		t.Errorf("untyped: %v", err)
	}
	if f.count() != 0 {
		t.Errorf("%d requests sent", f.count())
	}
}
