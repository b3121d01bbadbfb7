// Package repo gives Go services typed access to Supabase tables and
// functions through PostgREST: [Repo] for models mapped with db tags (see
// package schema), [Builder] for dynamic tables with the reference
// client's names, and [Call] / [Func] for database functions.
//
//	countries := repo.New[Country](client) // client is a *supakit.Client
//	c := schema.Cols[Country]()
//	list, err := countries.Query().
//		Where(query.Eq(&c.Name, "Albania"), query.Gt(&c.ID, 2)).
//		Order(query.Desc(&c.ID)).
//		Limit(10).
//		Find(ctx) // []Country, embedded resources filled
//
// # Typed rows
//
// Without Select, a typed query selects T's columns and its relation
// fields as embedded resources, nested, so Find fills whole object graphs.
// Rows are decoded straight from the response body into []T with one
// json.Decoder (no map round trip). For that, the key encoding/json reads
// for a field (its json tag, else its Go name, compared without case)
// must match the column; when it does not (CountryID for country_id), the
// derived select aliases the column (CountryID:country_id), so any model
// decodes. A relation field's key must match its resource's name or as=
// alias; a column tagged json:"-" is an error. Raw select text passed to
// Select is sent as written: its keys must match T.
//
// A validate tag the validator cannot run (an unknown function) fails the
// write with [ErrInvalid] naming it. A value given to [Set] is checked
// against the rules of its own field's tag that need no other field; rules
// comparing with other fields (eqfield, required_with…) are checked by
// writes of whole rows ([Query.UpdateRow], Save, Insert).
//
// Writes send only writable columns (never readonly ones; omitempty
// columns are left out when zero) keyed by column name, []byte as bytea
// hex. Rows are validated with their validate tags
// (go-playground/validator, one cached validator) before anything is sent;
// a [*ValidationError] names the failing fields. Typed writes return the
// rows as stored unless [ReturnMinimal] is given.
//
// Update and Delete without a filter are refused with [ErrNoFilter]
// before anything is sent, unless the caller opts in with
// [Query.AllowUnfiltered] or the [AllowUnfiltered] option.
//
// [Query.All] is an iter.Seq2 over every matching row, however many: it
// pages with limit/offset in a stable order (the query's, then the primary
// key), decodes each row as it arrives (constant memory) and keeps paging
// when the server returns fewer rows than asked (PostgREST's max rows,
// 1,000 on Supabase).
//
// # Wire
//
// Requests are what the official JavaScript client sends for the same
// call (the conformance test replays its recorded vectors), except where
// it is wrong: nil is is.null, never eq.null; values in in lists and array
// literals are quoted and escaped; times are RFC 3339 and objects JSON;
// new-format keys (sb_…) never travel as a bearer token. Every request
// carries Accept-Profile (GET, HEAD) or Content-Profile (other methods)
// with the schema. Response bodies are always drained and closed; counts
// come from Content-Range.
//
// [Builder] builds a package query Query (query.Table, query.RPC) and
// sends what it encodes, so typed and untyped calls share one encoder:
// the same value formatting ([]byte as bytea hex, numbers in their
// shortest form), in lists sent as given (duplicates kept), and the same
// Prefer, Accept and explain headers.
//
// # Errors
//
// PostgREST's errors are [*Error] values (HTTP status, code, message,
// details, hint); Error() shows the code, the status and the message.
// They match the sentinels with errors.Is: [ErrUniqueViolation] (23505),
// [ErrForeignKeyViolation] (23503), [ErrPermissionDenied] (42501),
// [ErrNotFound] and [ErrMultipleRows] (PGRST116 with 0 or several rows,
// and the client-side cases of Get, First, Save and MaybeSingle),
// [ErrJWTExpired] (PGRST301, PGRST303), [ErrUnknownColumn] (PGRST204),
// [ErrUnknownTable] (PGRST205). Calls wrap errors as
// "repo: <operation> <table>: …"; a cancelled context gives its error.
//
// # Concurrency
//
// [Repo], [Query] and [Builder] are immutable: every method returns a new
// value, so they are safe to share between goroutines and to reuse as
// templates. Nothing is sent until a method taking a context runs. [New]
// is cheap (T's metadata is built once and cached), so a server acting for
// many users makes one per request over client.WithAccessToken(token). The
// zero Repo is not usable: its calls fail with [ErrInvalid], as do those
// of a nil *Repo and of a zero Query; make one with [New].
//
// # The reference's Database calls in Go
//
// Python reference v2.0 (supabase-py) on the left; the typed form assumes
// c := schema.Cols[Country]() and countries := repo.New[Country](client).
//
//	table("countries").select("*").execute()
//	    countries.Find(ctx)
//	    repo.Table(client, "countries").Select("*").Execute(ctx)
//	select("*", count="exact")
//	    countries.Query().FindAndCount(ctx, query.CountExact)
//	    Select("*", repo.WithCount(query.CountExact))          (Result.Count)
//	select("*", count="exact", head=True)
//	    countries.Count(ctx, filters...) / Query().Count(ctx, query.CountPlanned)
//	    Select("*", repo.WithCount(query.CountExact), repo.Head())
//	insert({...})
//	    countries.Insert(ctx, row) / InsertMany(ctx, rows)
//	    Table(...).Insert(row).Execute(ctx)       (chain Select to get rows back)
//	insert(..., default_to_null=False)
//	    InsertMany(ctx, rows, repo.DefaultToNull(false))
//	insert(..., returning="minimal")
//	    Insert(ctx, row, repo.ReturnMinimal())
//	update({...}).eq("id", 1)
//	    countries.Update(ctx, []query.Filter{query.Eq(&c.ID, 1)}, repo.Set(&c.Name, "x"))
//	    countries.Save(ctx, row, &c.Name)         (by primary key, chosen columns)
//	    Table(...).Update(values).Eq("id", 1).Execute(ctx)
//	upsert({...}, on_conflict=..., ignore_duplicates=True)
//	    countries.Upsert(ctx, row, repo.OnConflictColumns(&c.Name), repo.IgnoreDuplicates())
//	    Table(...).Upsert(rows, repo.OnConflict("name"), repo.IgnoreDuplicates())
//	delete().eq("id", 1)
//	    countries.Delete(ctx, query.Eq(&c.ID, 1))
//	    Table(...).Delete().Eq("id", 1).Execute(ctx)
//	rpc("fn", params)
//	    repo.Call[R](ctx, client, "fn", params)              (scalar, row or slice)
//	    repo.Func[R](client, "fn", params).Where(...).Find(ctx)   (set-returning)
//	    repo.RPC(client, "fn", params).Execute(ctx)
//	rpc(..., get=True) / head=True / count="exact"
//	    repo.Call[R](..., repo.Get()); repo.Func[R](..., repo.Get()); Func(...).Count(ctx)
//	    repo.RPC(..., repo.Get() | repo.Head() | repo.WithCount(query.CountExact))
//	eq, neq, gt, gte, lt, lte
//	    query.Eq(&c.Name, "x"), query.Neq, query.Gt, query.Gte, query.Lt, query.Lte
//	    Builder.Eq("name", "x"), Neq, Gt, Gte, Lt, Lte
//	like, ilike
//	    query.Like(&c.Name, "%x%"), query.ILike      Builder.Like, ILike
//	is_("name", "null")
//	    query.IsNull(&c.Name), query.Is(&c.Active, query.True)   Builder.Is("name", nil)
//	in_("name", [...])
//	    query.In(&c.Name, "a", "b")                  Builder.In("name", []string{"a", "b"})
//	contains, contained_by, overlaps
//	    query.Contains, query.ContainedBy, query.Overlaps
//	    Builder.Contains, ContainedBy, Overlaps
//	range_gt, range_gte, range_lt, range_lte, range_adjacent
//	    query.RangeGt … query.RangeAdjacent          Builder.RangeGt … RangeAdjacent
//	text_search("content", q, options)
//	    query.TextSearch(&t.Content, q, query.TextSearchOptions{...})
//	    Builder.TextSearch("content", q, query.TextSearchOptions{Type: query.Websearch})
//	match({...})
//	    query.Match(map[string]any{...})             Builder.Match(map[string]any{...})
//	not_.is_("name", "null")
//	    query.Not(query.IsNull(&c.Name))             Builder.Not("name", "is", nil)
//	or_("id.eq.2,name.eq.Algeria")
//	    query.Or(query.Eq(&c.ID, 2), query.Eq(&c.Name, "Algeria")), query.OrRaw("…")
//	    Builder.Or("id.eq.2,name.eq.Algeria")
//	filter("name", "in", '("Algeria","Japan")')
//	    query.Raw("name", "in", `("Algeria","Japan")`)   Builder.Filter("name", "in", …)
//	order("name", desc=True)
//	    Query().Order(query.Desc(&c.Name))           Builder.Order("name", repo.OrderOptions{Descending: true})
//	limit(1), range(0, 1)  (also on a foreign table)
//	    Query().Limit(1), Range(0, 1), LimitOf(&c.Cities, 1), RangeOf(...)
//	    Builder.Limit(1), Range(0, 1), Limit(1, "cities")
//	single()
//	    Query().Single(ctx)                          Builder.Single()
//	maybe_single()
//	    Query().MaybeSingle(ctx)  (*T, nil when none)   Builder.MaybeSingle()
//	csv()
//	    Query().CSV(ctx)                             Builder.CSV()
//	explain()
//	    Query().Explain(ctx, query.ExplainOptions{...})   Builder.Explain(query.ExplainOptions{...})
//
// Beyond the reference: [Repo.Get] (primary key, composite too),
// [Repo.First], [Query.All] (paging iterator), [Query.UpdateRow],
// [Builder.Rollback], [Builder.MaxAffected], [Builder.StripNulls],
// [Builder.GeoJSON], [Builder.SetHeader], [Builder.Schema] and the
// client's WithSchema for another schema.
package repo
