package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// bodyKeys returns the JSON body's top-level keys (of the object, or of each
// object of an array) and whether it is an array.
func bodyKeys(body []byte) (keys [][]string, isArray bool, e *Error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, false, apiErr(400, "PGRST102", "Empty or invalid json", nil, nil)
	}
	if trimmed[0] == '[' {
		var arr []json.RawMessage
		if err := json.Unmarshal(trimmed, &arr); err != nil {
			return nil, true, apiErr(400, "PGRST102", "Empty or invalid json", nil, nil)
		}
		for _, el := range arr {
			k, err := objectKeys(el)
			if err != nil {
				return nil, true, apiErr(400, "PGRST102", "All object keys must match", nil, nil)
			}
			keys = append(keys, k)
		}
		return keys, true, nil
	}
	k, err := objectKeys(trimmed)
	if err != nil {
		return nil, false, apiErr(400, "PGRST102", "Empty or invalid json", nil, nil)
	}
	return [][]string{k}, false, nil
}

func objectKeys(raw []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("not an object")
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := tok.(string)
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

func unknownColumn(t *Table, col string) *Error {
	return apiErr(400, "PGRST204", fmt.Sprintf("Could not find the '%s' column of '%s' in the schema cache", col, t.Name), nil, nil)
}

func (h *Handler) mutate(ctx context.Context, req *request, t *Table) (*response, *Error) {
	q, err := parseQuery(req.pairs, nil)
	if err != nil {
		return nil, asAPI(err)
	}
	var paging *nodeParams // limit/offset/order of PATCH and DELETE
	if p := q.params[""]; p != nil && (p.limit != nil || p.offset != nil || len(p.order) > 0) {
		if req.method != http.MethodPatch && req.method != http.MethodDelete {
			return nil, apiErr(400, "PGRST114", "limit, offset and order are not allowed for "+req.method, nil, nil)
		}
		if t.Kind != "r" {
			return nil, errUnsupported("limit, offset or order on " + req.method + " of a view or partitioned table")
		}
		paging = p
	}
	if req.method == http.MethodPut {
		if e := checkPut(req, t, q); e != nil {
			return nil, e
		}
		req.prefer.resolution = "merge-duplicates"
		q.onConflict = t.PK
		q.columns = nil
	}
	b := &builder{c: req.cache, schema: req.schema, params: q.params}
	tq := quoteIdent(t.Name)
	tn := qualified(t.Schema, t.Name)
	target := &node{table: t, name: t.Name, qual: tq}
	var where []string
	rp := b.paramsFor("")
	for _, f := range rp.filters {
		s, _ := b.filterSQL(target, f)
		where = append(where, s)
	}
	for _, l := range rp.logic {
		s, _ := b.logicSQL(target, l)
		where = append(where, s)
	}
	// The returned rows are shaped without the root filters: they were
	// applied by the mutation itself.
	b.params[""] = &nodeParams{used: true}
	whereSQL := ""
	if len(where) > 0 {
		whereSQL = " WHERE " + strings.Join(where, " AND ")
	}
	if paging != nil {
		// Only the rows the ordered, limited selection picks are touched.
		sub := "SELECT " + tq + ".ctid FROM " + tn + whereSQL
		if len(paging.order) > 0 {
			ord, err := b.orderSQL(target, paging.order)
			if err != nil {
				return nil, asAPI(err)
			}
			sub += " ORDER BY " + ord
		}
		if paging.limit != nil {
			sub += " LIMIT " + strconv.Itoa(*paging.limit)
		}
		if paging.offset != nil {
			sub += " OFFSET " + strconv.Itoa(*paging.offset)
		}
		whereSQL = " WHERE " + tq + ".ctid = ANY(ARRAY(" + sub + "))"
	}
	upsert := (req.method == http.MethodPost || req.method == http.MethodPut) && req.prefer.resolution != ""
	var mut string
	switch req.method {
	case http.MethodPost, http.MethodPut:
		keys, isArray, e := bodyKeys(req.body)
		if e != nil {
			return nil, e
		}
		cols := q.columns
		if cols == nil {
			if len(keys) > 0 {
				cols = keys[0]
				for _, k := range keys[1:] {
					if !sameSet(k, cols) {
						return nil, apiErr(400, "PGRST102", "All object keys must match", nil, nil)
					}
				}
			}
		}
		for _, c := range cols {
			if t.Column(c) == nil {
				return nil, unknownColumn(t, c)
			}
		}
		payload := bytes.TrimSpace(req.body)
		if !isArray {
			payload = append(append([]byte{'['}, payload...), ']')
		}
		var ins string
		switch {
		case len(keys) == 0:
			ins = "" // an empty array inserts nothing
		case len(cols) == 0 && len(keys) == 1:
			ins = "INSERT INTO " + tn + " DEFAULT VALUES"
		case len(cols) == 0:
			return nil, errUnsupported("inserting several rows with no columns")
		default:
			qc := make([]string, len(cols))
			for i, c := range cols {
				qc[i] = quoteIdent(c)
			}
			src := ""
			if req.prefer.missing == "default" {
				var exprs, defs []string
				for _, c := range cols {
					col := t.Column(c)
					e := "pgrst_r." + quoteIdent(c)
					if col.Default != "" {
						// Evaluated for every row (as PostgREST does), then
						// used only where the key is missing.
						e = "CASE WHEN pgrst_e.v::jsonb ? " + b.param(c) + "::text THEN " + e + " ELSE pgrst_d." + quoteIdent("d"+strconv.Itoa(len(defs))) + " END"
						defs = append(defs, col.Default+" AS "+quoteIdent("d"+strconv.Itoa(len(defs))))
					}
					exprs = append(exprs, e)
				}
				src = "SELECT " + strings.Join(exprs, ", ") + " FROM json_array_elements(" + b.param(string(payload)) + "::json) WITH ORDINALITY pgrst_e(v, i)" +
					" CROSS JOIN LATERAL json_populate_record(NULL::" + tn + ", pgrst_e.v) pgrst_r"
				if len(defs) > 0 {
					src += " CROSS JOIN LATERAL (SELECT " + strings.Join(defs, ", ") + " WHERE pgrst_e.i IS NOT NULL) pgrst_d"
				}
				src += " ORDER BY pgrst_e.i"
			} else {
				src = "SELECT " + strings.Join(qc, ", ") + " FROM json_populate_recordset(NULL::" + tn + ", " + b.param(string(payload)) + "::json) pgrst_body"
			}
			ins = "INSERT INTO " + tn + " (" + strings.Join(qc, ", ") + ") " + src
			if upsert {
				conflict := q.onConflict
				if conflict == nil {
					conflict = t.PK
				}
				if len(conflict) == 0 {
					return nil, apiErr(400, "PGRST100", "Upsert needs on_conflict or a primary key on "+t.Name, nil, nil)
				}
				cc := make([]string, len(conflict))
				for i, c := range conflict {
					if t.Column(c) == nil {
						return nil, unknownColumn(t, c)
					}
					cc[i] = quoteIdent(c)
				}
				ins += " ON CONFLICT (" + strings.Join(cc, ", ") + ")"
				if req.prefer.resolution == "ignore-duplicates" {
					ins += " DO NOTHING"
				} else {
					var sets []string
					for _, c := range qc {
						sets = append(sets, c+" = EXCLUDED."+c)
					}
					ins += " DO UPDATE SET " + strings.Join(sets, ", ")
				}
			}
		}
		if len(where) > 0 && req.method == http.MethodPost {
			return nil, errUnsupported("filters on POST")
		}
		switch {
		case ins == "":
			mut = "SELECT " + tq + ".*, false AS pgrst_updated FROM " + tn + " WHERE false"
		case t.Kind == "r" || t.Kind == "p":
			mut = ins + " RETURNING " + tq + ".*, (" + tq + ".xmax::text::int8 <> 0) AS pgrst_updated"
		default:
			mut = ins + " RETURNING " + tq + ".*, false AS pgrst_updated"
		}
	case http.MethodPatch:
		keys, isArray, e := bodyKeys(req.body)
		if e != nil {
			return nil, e
		}
		if isArray {
			return nil, apiErr(400, "PGRST102", "A PATCH body must be a single JSON object", nil, nil)
		}
		cols := q.columns
		if cols == nil {
			cols = keys[0]
		}
		for _, c := range cols {
			if t.Column(c) == nil {
				return nil, unknownColumn(t, c)
			}
		}
		if len(cols) == 0 {
			mut = "SELECT " + tq + ".*, false AS pgrst_updated FROM " + tn + whereSQL + " LIMIT 0"
			break
		}
		var sets []string
		for _, c := range cols {
			sets = append(sets, quoteIdent(c)+" = pgrst_body."+quoteIdent(c))
		}
		mut = "UPDATE " + tn + " SET " + strings.Join(sets, ", ") + " FROM (SELECT * FROM json_populate_record(NULL::" + tn + ", " +
			b.param(string(bytes.TrimSpace(req.body))) + "::json)) pgrst_body" + whereSQL + " RETURNING " + tq + ".*, true AS pgrst_updated"
	case http.MethodDelete:
		mut = "DELETE FROM " + tn + whereSQL + " RETURNING " + tq + ".*, true AS pgrst_updated"
	}

	ret := req.prefer.ret
	items := q.selectItems
	if !q.hasSelect {
		items = starSelect
	}
	if ret == "headers-only" {
		items = nil
		for _, c := range t.PK {
			items = append(items, SelectItem{Field: Field{Name: c}})
		}
	}
	shaped := &node{table: t, name: t.Name, qual: tq, from: "pgrst_mutation AS " + tq, items: items}
	src, err := b.selectSQL(shaped, "", 0)
	if err != nil {
		return nil, asAPI(err)
	}
	if e := checkUnused(b.params); e != nil {
		return nil, e
	}
	single := req.accept.kind == mediaObject
	body := "NULL::text"
	if ret == "representation" || ret == "headers-only" {
		a := req.accept
		if ret == "headers-only" {
			a = accept{kind: mediaJSON}
		}
		body = bodyExpr(a, single && ret == "representation", "")
	}
	sql := wrapSQL([]string{"pgrst_mutation AS (" + mut + ")", "pgrst_source AS (" + src + ")"}, body,
		"(SELECT pg_catalog.count(*) FROM pgrst_mutation)::int8", "(SELECT bool_and(pgrst_updated) FROM pgrst_mutation)")
	if req.accept.kind == mediaPlan {
		return h.explain(ctx, req, false, sql, b.args)
	}
	var res result
	e := h.run(ctx, req, false, func(tx pgx.Tx) error {
		var err error
		res, err = mainRow(ctx, tx, req, sql, b.args)
		if err != nil {
			return err
		}
		if single && ret == "representation" && res.page != 1 {
			return singleErr(res.page)
		}
		if e := checkMaxAffected(req.prefer, *res.total); e != nil {
			return e
		}
		return nil
	})
	if e != nil {
		return nil, e
	}
	resp := &response{headers: map[string]string{}}
	var shown *int64
	if req.prefer.count != "" {
		shown = res.total
	}
	switch req.method {
	case http.MethodPost:
		resp.status = 201
		if upsert && req.prefer.resolution == "merge-duplicates" && res.updated != nil && *res.updated {
			resp.status = 200
		}
		resp.headers["Content-Range"] = "*/" + totalText(shown)
	default: // PATCH, DELETE, PUT
		resp.status = 204
		if ret == "representation" {
			resp.status = 200
		}
		resp.headers["Content-Range"] = "*/" + totalText(shown)
		if req.method == http.MethodPatch {
			resp.headers["Content-Range"] = updateRange(*res.total, req.prefer.count)
		}
	}
	switch ret {
	case "representation":
		resp.body = res.body
		resp.contentType = contentTypeFor(req.accept)
	case "headers-only":
		if req.method == http.MethodPost && res.body != nil && len(t.PK) > 0 {
			if loc := location(t, *res.body); loc != "" {
				resp.headers["Location"] = loc
			}
		}
	}
	// max-affected applies to updates and deletes only; an insert or PUT
	// never echoes it.
	applied := req.prefer
	if req.method != http.MethodPatch && req.method != http.MethodDelete {
		applied.maxAffected = nil
	}
	if pa := appliedPrefs(applied); pa != "" {
		resp.headers["Preference-Applied"] = pa
	}
	if e := applyGUCResponse(resp, res); e != nil {
		return nil, e
	}
	return resp, nil
}

// checkPut enforces PUT's rules: the filters are exactly eq on every
// primary key column, the body is one object carrying the same key values.
func checkPut(req *request, t *Table, q *queryParams) *Error {
	if len(t.PK) == 0 {
		return apiErr(405, "PGRST117", "PUT needs a table with a primary key", nil, nil)
	}
	rp := q.params[""]
	if rp == nil {
		rp = &nodeParams{}
	}
	if rp.limit != nil || rp.offset != nil {
		return apiErr(400, "PGRST114", "limit/offset querystring parameters are not allowed for PUT", nil, nil)
	}
	vals := map[string]string{}
	for _, f := range rp.filters {
		if f.Op != "eq" || f.Not || f.Mod != "" || len(f.Field.Path) > 0 {
			vals = nil
			break
		}
		vals[f.Field.Name] = f.Value
	}
	ok := vals != nil && len(rp.logic) == 0 && len(vals) == len(t.PK) && len(rp.filters) == len(t.PK)
	for _, c := range t.PK {
		if _, has := vals[c]; !has {
			ok = false
		}
	}
	if !ok {
		return apiErr(405, "PGRST105", "Filters must include all and only primary key columns with 'eq' operators", nil, nil)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimSpace(req.body), &obj); err != nil {
		return apiErr(400, "PGRST102", "A PUT body must be a single JSON object", nil, nil)
	}
	for _, c := range t.PK {
		raw, has := obj[c]
		if !has {
			return apiErr(400, "PGRST115", "Payload values do not match URL in primary key column(s)", nil, nil)
		}
		var sv string
		if err := json.Unmarshal(raw, &sv); err != nil {
			sv = string(bytes.TrimSpace(raw))
		}
		if sv != vals[c] {
			return apiErr(400, "PGRST115", "Payload values do not match URL in primary key column(s)", nil, nil)
		}
	}
	rp.filters = nil
	return nil
}

func checkMaxAffected(p prefer, n int64) *Error {
	if p.handling == "strict" && p.maxAffected != nil && n > *p.maxAffected {
		return apiErr(400, "PGRST124", "Query result exceeds max-affected preference constraint", fmt.Sprintf("The query affects %d rows", n), nil)
	}
	return nil
}

// updateRange is PostgREST's Content-Range for an update of n rows: the
// rows as a range from 0 (an insert or delete names none), the total only
// for an exact or estimated count, and "*" for the range when nothing
// changed or the total is 0.
func updateRange(n int64, count string) string {
	total := "*"
	if count == "exact" || count == "estimated" {
		total = strconv.FormatInt(n, 10)
	}
	if n == 0 {
		return "*/" + total
	}
	return "0-" + strconv.FormatInt(n-1, 10) + "/" + total
}

func totalText(t *int64) string {
	if t == nil {
		return "*"
	}
	return fmt.Sprint(*t)
}

func location(t *Table, body string) string {
	var rows []map[string]any
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber() // keys beyond 2^53 keep their digits
	if err := dec.Decode(&rows); err != nil || len(rows) == 0 {
		return ""
	}
	var parts []string
	for _, c := range t.PK {
		parts = append(parts, url.QueryEscape(c)+"=eq."+url.QueryEscape(fmt.Sprint(rows[0][c])))
	}
	return "/" + t.Name + "?" + strings.Join(parts, "&")
}

func appliedPrefs(p prefer) string {
	var out []string
	if p.resolution != "" {
		out = append(out, "resolution="+p.resolution)
	}
	if p.missing != "" {
		out = append(out, "missing="+p.missing)
	}
	if p.ret != "" {
		out = append(out, "return="+p.ret)
	}
	if p.count != "" {
		out = append(out, "count="+p.count)
	}
	if p.tx != "" {
		out = append(out, "tx="+p.tx)
	}
	if p.handling != "" {
		out = append(out, "handling="+p.handling)
	}
	// max-affected is only honoured, so only echoed, under handling=strict.
	if p.handling == "strict" && p.maxAffected != nil {
		out = append(out, "max-affected="+strconv.FormatInt(*p.maxAffected, 10))
	}
	return strings.Join(out, ", ")
}
