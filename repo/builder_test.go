package repo_test

import (
	"context"
	"sync"
	"testing"

	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
	"github.com/supakit/supakit/schema"
)

func TestBuildersAreImmutable(t *testing.T) {
	f, cl := newFake(t)
	f.body = `[]`
	ctx := context.Background()

	base := repo.Table(cl, "countries").Select("id").Eq("continent", "Asia").Order("id")
	a := base.Eq("name", "a").Limit(1)
	b := base.Eq("name", "b").Order("name", repo.OrderOptions{Descending: true})
	for _, x := range []*repo.Builder{a, b, base} {
		if _, err := x.Execute(ctx); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"select=id&continent=eq.Asia&order=id.asc&name=eq.a&limit=1",
		"select=id&continent=eq.Asia&order=id.asc,name.desc&name=eq.b",
		"select=id&continent=eq.Asia&order=id.asc",
	}
	for i, w := range want {
		if got := unq(t, f.reqs[i].RawQuery); got != w {
			t.Errorf("untyped %d: %s, want %s", i, got, w)
		}
	}

	c := schema.Cols[Country]()
	tq := repo.New[Country](cl).Query().Select(&c.ID).Where(query.Eq(&c.Name, "x"))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := tq.Limit(i + 1).Find(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if _, err := tq.Find(ctx); err != nil {
		t.Fatal(err)
	}
	if got := unq(t, f.last(t).RawQuery); got != "select=id&name=eq.x" {
		t.Errorf("typed template changed: %s", got)
	}
}
