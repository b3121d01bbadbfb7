package repo_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/internal/oracle"
	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
	"github.com/supakit/supakit/schema"
)

// Models of the vectors' tables, for the typed API.
type character struct {
	ID     int64     `db:"id,pk" json:"id"`
	Name   string    `db:"name" json:"name"`
	Note   *string   `db:"note" json:"note"`
	Score  float64   `db:"score" json:"score"`
	Active bool      `db:"active" json:"active"`
	Born   time.Time `db:"born" json:"born"`
}

func (character) TableName() string { return "characters" }

type vCity struct {
	Name string `db:"name" json:"name"`
}

func (vCity) TableName() string { return "cities" }

type vCountry struct {
	ID     int64   `db:"id,pk" json:"id"`
	Name   string  `db:"name" json:"name"`
	Cities []vCity `db:"cities,rel" json:"cities"`
}

func (vCountry) TableName() string { return "countries" }

type vRow struct {
	ID   int64  `db:"id,pk" json:"id"`
	Name string `db:"name" json:"name"`
}

func (vRow) TableName() string { return "countries" }

type vUser struct {
	ID          int64  `db:"id,pk" json:"id"`
	Handle      string `db:"handle" json:"handle"`
	DisplayName string `db:"display_name" json:"display_name"`
}

func (vUser) TableName() string { return "users" }

type vIssue struct {
	Title string   `db:"title" json:"title"`
	Tags  []string `db:"tags" json:"tags"`
}

func (vIssue) TableName() string { return "issues" }

type vText struct {
	Content string `db:"content" json:"content"`
}

func (vText) TableName() string { return "texts" }

type vSecret struct {
	ID int64 `db:"id,pk" json:"id"`
}

func (vSecret) TableName() string { return "secrets" }

var (
	ch = schema.Cols[character]()
	co = schema.Cols[vCountry]()
	ci = schema.Cols[vCity]()
	cr = schema.Cols[vRow]()
	us = schema.Cols[vUser]()
	is = schema.Cols[vIssue]()
	tx = schema.Cols[vText]()
)

type typedCall func(ctx context.Context, c *supakit.Client) error

func chars(c *supakit.Client, items ...any) *repo.Query[character] {
	return repo.New[character](c).Query().Select(items...)
}

func find[T any](q *repo.Query[T]) typedCall {
	return func(ctx context.Context, _ *supakit.Client) error { _, err := q.Find(ctx); return err }
}

// typedCalls reproduces Database vectors with the typed API: the same
// request as the untyped call (with the same deviations).
var typedCalls = map[string]func(c *supakit.Client) typedCall{
	"db.select.default": func(c *supakit.Client) typedCall { return find(chars(c, "*")) },
	"db.select.columns": func(c *supakit.Client) typedCall { return find(chars(c, &ch.ID, &ch.Name)) },
	"db.select.count_exact": func(c *supakit.Client) typedCall {
		return func(ctx context.Context, _ *supakit.Client) error {
			_, _, err := chars(c, "*").FindAndCount(ctx, query.CountExact)
			return err
		}
	},
	"db.select.head_count_exact":     countCall(query.CountExact),
	"db.select.head_count_planned":   countCall(query.CountPlanned),
	"db.select.head_count_estimated": countCall(query.CountEstimated),
	"db.select.embedded_filter_order_limit": func(c *supakit.Client) typedCall {
		return find(repo.New[vCountry](c).Query().Select(&co.Name, query.Embed(&co.Cities, &ci.Name)).
			Where(query.Eq(&ci.Name, "Bali")).OrderOf(&co.Cities, query.Desc(&ci.Name)).LimitOf(&co.Cities, 1))
	},
	"filter.eq.string": func(c *supakit.Client) typedCall { return find(chars(c, &ch.Name).Where(query.Eq(&ch.Name, "Leia"))) },
	"filter.eq.number": func(c *supakit.Client) typedCall { return find(chars(c, &ch.Name).Where(query.Eq(&ch.ID, 1))) },
	"filter.eq.float":  func(c *supakit.Client) typedCall { return find(chars(c, &ch.Name).Where(query.Eq(&ch.Score, 1.5))) },
	"filter.eq.boolean": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.Eq(&ch.Active, true)))
	},
	"filter.eq.null": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.Eq(query.Col[*string]("name"), nil)))
	},
	"filter.eq.string_comma": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.Eq(&ch.Name, "Skywalker, Luke")))
	},
	"filter.eq.string_unicode": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.Eq(&ch.Name, "ünïcødé 日本 👋")))
	},
	"filter.eq.date_object": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.Eq(&ch.Born, time.Date(2023, 1, 2, 3, 4, 5, 678e6, time.UTC))))
	},
	"filter.neq":  func(c *supakit.Client) typedCall { return find(chars(c, &ch.Name).Where(query.Neq(&ch.Name, "Leia"))) },
	"filter.gt":   func(c *supakit.Client) typedCall { return find(chars(c, &ch.Name).Where(query.Gt(&ch.ID, 2))) },
	"filter.gte":  func(c *supakit.Client) typedCall { return find(chars(c, &ch.Name).Where(query.Gte(&ch.ID, 2))) },
	"filter.lt":   func(c *supakit.Client) typedCall { return find(chars(c, &ch.Name).Where(query.Lt(&ch.ID, 2))) },
	"filter.lte":  func(c *supakit.Client) typedCall { return find(chars(c, &ch.Name).Where(query.Lte(&ch.ID, 2))) },
	"filter.like": func(c *supakit.Client) typedCall { return find(chars(c, &ch.Name).Where(query.Like(&ch.Name, "%Lu%"))) },
	"filter.ilike": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.ILike(&ch.Name, "%lu%")))
	},
	"filter.likeAllOf": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.LikeAllOf(&ch.Name, "%Lu%", "%ke%")))
	},
	"filter.likeAnyOf": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.LikeAnyOf(&ch.Name, "%Lu%", "%a,b%")))
	},
	"filter.regexMatch": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.RegexMatch(&ch.Name, "^L.*e$")))
	},
	"filter.in.strings": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.In(&ch.Name, "Leia", "Han")))
	},
	"filter.in.numbers": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.In(&ch.ID, 1, 2, 3)))
	},
	"filter.in.strings_needing_quotes": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.In(&ch.Name, "Skywalker, Luke", "Luke (Jedi)", "a.b", "has space", `say "hi"`, "O'Brien", "x:y", "ünï")))
	},
	"filter.notIn": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.NotIn(&ch.Name, "Leia", "Skywalker, Luke")))
	},
	"filter.contains.array": func(c *supakit.Client) typedCall {
		return find(repo.New[vIssue](c).Query().Select(&is.Title).Where(query.Contains(&is.Tags, []string{"is:open", "priority:low"})))
	},
	"filter.contains.array_strings_with_commas": func(c *supakit.Client) typedCall {
		return find(repo.New[vIssue](c).Query().Select(&is.Title).Where(query.Contains(&is.Tags, []string{"a,b", "c d", `"q"`})))
	},
	"filter.overlaps.array": func(c *supakit.Client) typedCall {
		return find(repo.New[vIssue](c).Query().Select(&is.Title).Where(query.Overlaps(&is.Tags, []string{"is:closed", "severity:high"})))
	},
	"filter.textSearch.websearch_config": func(c *supakit.Client) typedCall {
		return find(repo.New[vText](c).Query().Select(&tx.Content).
			Where(query.TextSearch(&tx.Content, "'fat or cat'", query.TextSearchOptions{Type: query.Websearch, Config: "english"})))
	},
	"filter.textSearch.plain": func(c *supakit.Client) typedCall {
		return find(repo.New[vText](c).Query().Select(&tx.Content).
			Where(query.TextSearch(&tx.Content, "eggs ham", query.TextSearchOptions{Type: query.Plain})))
	},
	"filter.or.basic": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.Or(query.Eq(&ch.ID, 2), query.Eq(&ch.Name, "Han"))))
	},
	"filter.or.nested_and": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.Or(query.Gt(&ch.ID, 3), query.And(query.Eq(&ch.ID, 1), query.Eq(&ch.Name, "Luke")))))
	},
	"filter.not.eq": func(c *supakit.Client) typedCall {
		return find(repo.New[vRow](c).Query().Select(&cr.Name).Where(query.Not(query.Eq(&cr.ID, 1))))
	},
	"filter.filter.in_raw": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.Raw("name", "in", `("Han","Yoda")`)))
	},
	"filter.chain.multiple_same_column": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.Name).Where(query.Gte(&ch.ID, 1), query.Lte(&ch.ID, 10), query.Neq(&ch.ID, 5)))
	},
	"mod.order.desc": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.ID, &ch.Name).Order(query.Desc(&ch.ID)))
	},
	"mod.order.nulls_first": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.ID, &ch.Name).Order(query.Asc(&ch.Name).NullsFirst()))
	},
	"mod.order.multiple": func(c *supakit.Client) typedCall {
		return find(chars(c, &ch.ID, &ch.Name).Order(query.Desc(&ch.Name)).Order(query.Asc(&ch.ID)))
	},
	"mod.limit":        func(c *supakit.Client) typedCall { return find(chars(c, &ch.Name).Limit(1)) },
	"mod.range.offset": func(c *supakit.Client) typedCall { return find(chars(c, &ch.Name).Range(10, 19)) },
	"mod.single": func(c *supakit.Client) typedCall {
		return func(ctx context.Context, _ *supakit.Client) error {
			_, err := chars(c, &ch.Name).Limit(1).Single(ctx)
			return err
		}
	},
	"mod.csv": func(c *supakit.Client) typedCall {
		return func(ctx context.Context, _ *supakit.Client) error { _, err := chars(c, "*").CSV(ctx); return err }
	},
	"mod.explain.analyze_verbose_json": func(c *supakit.Client) typedCall {
		return func(ctx context.Context, _ *supakit.Client) error {
			_, err := chars(c, "*").Explain(ctx, query.ExplainOptions{Analyze: true, Verbose: true, Format: query.ExplainJSON})
			return err
		}
	},
	"mod.schema.select": func(c *supakit.Client) typedCall {
		return find(repo.New[vSecret](c).Query().Select("*").Schema("private"))
	},
	"db.insert.single": func(c *supakit.Client) typedCall {
		return func(ctx context.Context, _ *supakit.Client) error {
			_, err := repo.New[vRow](c).Insert(ctx, vRow{1, "Denmark"}, repo.ReturnMinimal())
			return err
		}
	},
	"db.insert.bulk": func(c *supakit.Client) typedCall {
		return func(ctx context.Context, _ *supakit.Client) error {
			_, err := repo.New[vRow](c).InsertMany(ctx, []vRow{{1, "Nepal"}, {2, "Vietnam"}}, repo.ReturnMinimal())
			return err
		}
	},
	"db.upsert.bulk": func(c *supakit.Client) typedCall {
		return func(ctx context.Context, _ *supakit.Client) error {
			_, err := repo.New[vRow](c).UpsertMany(ctx, []vRow{{1, "Albania"}, {2, "Algeria"}}, repo.ReturnMinimal())
			return err
		}
	},
	"db.upsert.on_conflict": func(c *supakit.Client) typedCall {
		return func(ctx context.Context, _ *supakit.Client) error {
			_, err := repo.New[vUser](c).Upsert(ctx, vUser{42, "saoirse", "Saoirse"}, repo.OnConflictColumns(&us.Handle), repo.ReturnMinimal())
			return err
		}
	},
	"db.delete.in": func(c *supakit.Client) typedCall {
		return func(ctx context.Context, _ *supakit.Client) error {
			_, err := repo.New[vRow](c).Query().Where(query.In(&cr.ID, 1, 2, 3)).Delete(ctx, repo.ReturnMinimal())
			return err
		}
	},
	"db.delete.no_filter": func(c *supakit.Client) typedCall {
		return func(ctx context.Context, _ *supakit.Client) error {
			_, err := repo.New[vRow](c).Query().AllowUnfiltered().Delete(ctx, repo.ReturnMinimal())
			return err
		}
	},
	"db.rpc.no_params": func(c *supakit.Client) typedCall {
		return func(ctx context.Context, _ *supakit.Client) error {
			_, err := repo.Call[string](ctx, c, "hello_world", nil)
			return err
		}
	},
	"db.rpc.get_params": func(c *supakit.Client) typedCall {
		return func(ctx context.Context, _ *supakit.Client) error {
			_, err := repo.Call[string](ctx, c, "echo", struct {
				Say string `json:"say"`
				N   int    `json:"n"`
				B   bool   `json:"b"`
			}{"hi there", 1, false}, repo.Get())
			return err
		}
	},
	"db.rpc.select_order_limit": func(c *supakit.Client) typedCall {
		return find(repo.Func[vRow](c, "list_stored_countries", nil).Select(&cr.ID, &cr.Name).Order(query.Asc(&cr.Name)).Limit(2))
	},
	"db.rpc.filter_single": func(c *supakit.Client) typedCall {
		return func(ctx context.Context, _ *supakit.Client) error {
			_, err := repo.Func[vRow](c, "list_stored_countries", nil).Where(query.Eq(&cr.ID, 1)).Single(ctx)
			return err
		}
	},
	"db.rpc.head_count_exact": func(c *supakit.Client) typedCall {
		return func(ctx context.Context, _ *supakit.Client) error {
			_, err := repo.Func[vRow](c, "list_stored_countries", nil).Count(ctx)
			return err
		}
	},
}

func countCall(m query.Count) func(c *supakit.Client) typedCall {
	return func(c *supakit.Client) typedCall {
		return func(ctx context.Context, _ *supakit.Client) error {
			_, err := repo.New[character](c).Query().Count(ctx, m)
			return err
		}
	}
}

func TestConformanceTyped(t *testing.T) {
	vectors, err := oracle.Load("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]oracle.Vector{}
	for _, v := range vectors {
		byName[v.Name] = v
	}
	for name, mk := range typedCalls {
		t.Run(name, func(t *testing.T) {
			v, ok := byName[name]
			if !ok {
				t.Fatalf("no vector %s", name)
			}
			want := v.Requests[0]
			if d, ok := deviations[name]; ok {
				want.Query = append([][2]string(nil), want.Query...)
				d.fix(&want)
			}
			rec := &recorder{resp: want.Response}
			if name == "db.rpc.select_order_limit" {
				// the canned answer of that route is a scalar; the typed
				// call decodes rows
				rec.resp = &oracle.Response{Status: 200, BodyText: `[{"id":1,"name":"Afghanistan"}]`}
			}
			srv := httptest.NewServer(rec)
			defer srv.Close()
			c := clientFor(t, name, srv.URL)
			if err := mk(c)(context.Background(), c); err != nil {
				t.Errorf("call: %v", err)
			}
			if len(rec.reqs) != 1 {
				t.Fatalf("sent %d requests, want 1", len(rec.reqs))
			}
			for _, d := range oracle.Compare(want, rec.reqs[0], oracle.DefaultHeaders) {
				t.Error(d)
			}
		})
	}
}
