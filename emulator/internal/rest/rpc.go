package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

func (c *Cache) callable(schema, name string) []*Func {
	var out []*Func
	for _, f := range c.funcs[[2]string{schema, name}] {
		if f.unnamedOK {
			out = append(out, f)
		}
	}
	return out
}

func (f *Func) accepts(keys []string) bool {
	names := map[string]bool{}
	for _, a := range f.Args {
		names[a.Name] = true
	}
	given := map[string]bool{}
	for _, k := range keys {
		if !names[k] {
			return false
		}
		given[k] = true
	}
	for _, a := range f.Args {
		if !a.HasDefault && !given[a.Name] {
			return false
		}
	}
	return true
}

func (f *Func) signature() string {
	var ps []string
	for _, a := range f.Args {
		ps = append(ps, a.Name+" => "+a.Type)
	}
	return f.Schema + "." + f.Name + "(" + strings.Join(ps, ", ") + ")"
}

func (h *Handler) rpc(ctx context.Context, req *request) (*response, *Error) {
	fns := req.cache.callable(req.schema, req.target)
	read := req.method == http.MethodGet || req.method == http.MethodHead
	argNames := map[string]bool{}
	for _, f := range fns {
		for _, a := range f.Args {
			argNames[a.Name] = true
		}
	}
	var q *queryParams
	var err error
	values := map[string]json.RawMessage{}
	var keys []string
	wholeBody := false
	if read {
		q, err = parseQuery(req.pairs, func(k string) bool {
			switch k {
			case "order", "limit", "offset", "or", "and", "not.or", "not.and":
				return false // reserved, as in PostgREST
			}
			return argNames[k]
		})
		if err != nil {
			return nil, asAPI(err)
		}
		for _, kv := range q.rpcArgs {
			if _, dup := values[kv[0]]; dup {
				return nil, errUnsupported("repeated function arguments (variadic parameters)")
			}
			b, _ := json.Marshal(kv[1])
			values[kv[0]] = b
			keys = append(keys, kv[0])
		}
	} else if req.rawBody {
		q, err = parseQuery(req.pairs, nil)
		if err != nil {
			return nil, asAPI(err)
		}
		wholeBody = true
	} else {
		q, err = parseQuery(req.pairs, nil)
		if err != nil {
			return nil, asAPI(err)
		}
		body := bytes.TrimSpace(req.body)
		if len(body) == 0 {
			body = []byte("{}")
		}
		if body[0] == '{' {
			ks, err := objectKeys(body)
			if err != nil {
				return nil, apiErr(400, "PGRST102", "Empty or invalid json", nil, nil)
			}
			if err := json.Unmarshal(body, &values); err != nil {
				return nil, apiErr(400, "PGRST102", "Empty or invalid json", nil, nil)
			}
			keys = ks
		} else if !json.Valid(body) {
			return nil, apiErr(400, "PGRST102", "Empty or invalid json", nil, nil)
		} else {
			wholeBody = true
		}
		req.body = body
	}
	var cands []*Func
	if !wholeBody {
		for _, f := range fns {
			if f.accepts(keys) {
				cands = append(cands, f)
			}
		}
	}
	if len(cands) == 0 && !read {
		for _, f := range fns {
			if len(f.Args) != 1 || f.Args[0].Name != "" {
				continue
			}
			switch oid := f.Args[0].TypeOID; {
			case req.rawBody && (oid == oidText || oid == oidXML || oid == oidBytea),
				!req.rawBody && (oid == oidJSON || oid == oidJSONB):
				cands = append(cands, f)
				wholeBody = true
			}
		}
	}
	switch len(cands) {
	case 0:
		return nil, h.noFunction(req, keys)
	case 1:
	default:
		sort.SliceStable(cands, func(i, j int) bool { return oidsLess(cands[i], cands[j]) })
		var sigs []string
		for _, f := range cands {
			sigs = append(sigs, f.signature())
		}
		return nil, apiErr(300, "PGRST203", "Could not choose the best candidate function between: "+strings.Join(sigs, ", "), nil,
			"Try renaming the parameters or the function itself in the database so function overloading can be resolved")
	}
	f := cands[0]
	b := &builder{c: req.cache, schema: req.schema, params: cloneParams(q.params)}
	// Arguments: one JSON parameter, expanded by json_to_record.
	var ctes []string
	var call string
	if wholeBody {
		var v any = string(req.body)
		if f.Args[0].TypeOID == oidBytea {
			v = req.body
		}
		call = qualified(f.Schema, f.Name) + "(" + b.param(v) + "::" + f.Args[0].Type + ")"
	} else {
		renamed := map[string]json.RawMessage{}
		var defs, callArgs []string
		for i, a := range f.Args {
			v, ok := values[a.Name]
			if !ok {
				continue
			}
			an := "a" + strconv.Itoa(i+1)
			renamed[an] = v
			defs = append(defs, quoteIdent(an)+" "+a.Type)
			ref := "(SELECT pgrst_args." + quoteIdent(an) + " FROM pgrst_args)"
			if a.Name == "" {
				callArgs = append(callArgs, ref)
			} else {
				callArgs = append(callArgs, quoteIdent(a.Name)+" := "+ref)
			}
		}
		if len(defs) > 0 {
			payload, _ := json.Marshal(renamed)
			ctes = append(ctes, "pgrst_args AS (SELECT * FROM json_to_record("+b.param(string(payload))+"::json) AS pgrst_a("+strings.Join(defs, ", ")+"))")
		}
		call = qualified(f.Schema, f.Name) + "(" + strings.Join(callArgs, ", ") + ")"
	}
	fq := quoteIdent(f.Name)
	single := req.accept.kind == mediaObject
	var src, body string
	if f.RetTable != nil {
		items := q.selectItems
		if !q.hasSelect {
			items = starSelect
		}
		rp := b.paramsFor("")
		applyRange(req, rp)
		root := &node{table: f.RetTable, name: f.Name, qual: fq, from: call + " AS " + fq, items: items}
		src, err = b.selectSQL(root, "", h.maxRows())
		if err != nil {
			return nil, asAPI(err)
		}
		if req.accept.kind == mediaText {
			return nil, apiErr(406, "PGRST107", "None of these media types are available: text/plain (the function returns rows)", nil, nil)
		}
		body = bodyExpr(req.accept, single || !f.RetSet, "")
	} else {
		rp := b.paramsFor("")
		if len(rp.filters) > 0 || len(rp.logic) > 0 || len(rp.order) > 0 {
			return nil, errUnsupported("filters or order on a function returning scalars")
		}
		if f.RetOID == oidRecord {
			return nil, errUnsupported("functions returning an untyped record")
		}
		if q.hasSelect && !(len(q.selectItems) == 1 && q.selectItems[0].Embed == nil && q.selectItems[0].Agg == "" &&
			q.selectItems[0].Cast == "" && len(q.selectItems[0].Field.Path) == 0 &&
			(q.selectItems[0].Field.Name == "*" || q.selectItems[0].Field.Name == f.Name)) {
			return nil, errUnsupported("select on a function returning scalars")
		}
		lim := ""
		applyRange(req, rp)
		if rp.limit != nil {
			lim += " LIMIT " + strconv.Itoa(*rp.limit)
		}
		if rp.offset != nil {
			lim += " OFFSET " + strconv.Itoa(*rp.offset)
		}
		src = "SELECT " + fq + "." + fq + " AS pgrst_scalar FROM " + call + " AS " + fq + lim
		body = bodyExpr(req.accept, single || !f.RetSet, "pgrst_scalar")
		switch req.accept.kind {
		case mediaCSV, mediaGeo:
			body = bodyExpr(req.accept, false, "")
		}
	}
	if e := checkUnused(b.params); e != nil {
		return nil, e
	}
	ctes = append(ctes, "pgrst_source AS ("+src+")")
	totalExpr := ""
	if req.prefer.count != "" {
		totalExpr = "(SELECT pg_catalog.count(*) FROM pgrst_source)::int8"
	}
	sql := wrapSQL(ctes, body, totalExpr, "")
	if req.accept.kind == mediaPlan {
		return h.explain(ctx, req, read, sql, b.args)
	}
	var res result
	// Like PostgREST, stable and immutable functions run read-only.
	readOnly := read || f.Volatile != 'v'
	var e *Error
	if readOnly {
		// A read-only transaction changes nothing: it may commit in the
		// same round trip, before the checks below.
		res, e = h.runRead(ctx, req, sql, b.args)
		if e == nil && single && res.page != 1 {
			e = singleErr(res.page)
		}
		if e == nil {
			e = checkMaxAffected(req.prefer, res.page)
		}
	} else {
		e = h.run(ctx, req, readOnly, func(tx pgx.Tx) error {
			var err error
			res, err = mainRow(ctx, tx, req, sql, b.args)
			if err != nil {
				return err
			}
			if single && res.page != 1 {
				return singleErr(res.page)
			}
			// checkMaxAffected returns a *Error: a nil one must not become a
			// non-nil error interface, or the call would roll back.
			if e := checkMaxAffected(req.prefer, res.page); e != nil {
				return e
			}
			return nil
		})
	}
	if e != nil {
		return nil, e
	}
	offset := 0
	if p := b.params[""]; p != nil && p.offset != nil {
		offset = *p.offset
	}
	resp := &response{status: 200, body: res.body, contentType: contentTypeFor(req.accept),
		headers: map[string]string{"Content-Range": contentRange(offset, res.page, res.total)}}
	if f.RetVoid {
		resp.status = 204
		resp.body = nil
		resp.contentType = ""
	}
	// A call echoes count, tx and handling like a read does, and
	// max-affected like an update.
	if pa := appliedPrefs(prefer{count: req.prefer.count, tx: req.prefer.tx, handling: req.prefer.handling, maxAffected: req.prefer.maxAffected}); pa != "" {
		resp.headers["Preference-Applied"] = pa
	}
	if e := applyGUCResponse(resp, res); e != nil {
		return nil, e
	}
	return resp, nil
}

func oidsLess(a, b *Func) bool {
	for i := 0; i < len(a.Args) && i < len(b.Args); i++ {
		if a.Args[i].TypeOID != b.Args[i].TypeOID {
			return a.Args[i].TypeOID < b.Args[i].TypeOID
		}
	}
	return len(a.Args) < len(b.Args)
}

func (h *Handler) noFunction(req *request, keys []string) *Error {
	sorted := append([]string{}, keys...)
	sort.Strings(sorted)
	name := req.schema + "." + req.target
	var msg, details string
	if len(sorted) == 0 {
		msg = fmt.Sprintf("Could not find the function %s without parameters in the schema cache", name)
		details = fmt.Sprintf("Searched for the function %s without parameters or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.", name)
	} else {
		word := "parameter"
		if len(sorted) > 1 {
			word = "parameters"
		}
		msg = fmt.Sprintf("Could not find the function %s(%s) in the schema cache", name, strings.Join(sorted, ", "))
		details = fmt.Sprintf("Searched for the function %s with %s %s or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.", name, word, strings.Join(sorted, ", "))
	}
	var hint any
	if fns := req.cache.callable(req.schema, req.target); len(fns) > 0 {
		var ps []string
		for _, a := range fns[0].Args {
			ps = append(ps, a.Name)
		}
		hint = fmt.Sprintf("Perhaps you meant to call the function %s(%s)", name, strings.Join(ps, ", "))
	} else {
		best, bestD := "", 1<<30
		for k, fs := range req.cache.funcs {
			if k[0] != req.schema || k[1] == req.target || len(req.cache.callable(k[0], k[1])) == 0 {
				continue
			}
			_ = fs
			d := levenshtein(req.target, k[1])
			if d < bestD || d == bestD && k[1] < best {
				best, bestD = k[1], d
			}
		}
		if best != "" && bestD <= max(2, len(req.target)/3) {
			hint = fmt.Sprintf("Perhaps you meant to call the function %s.%s", req.schema, best)
		}
	}
	return apiErr(404, "PGRST202", msg, details, hint)
}
