package rest

import "net/url"

// ReadSQL returns the statement and arguments a GET of table with rawQuery
// would run, for tests of the SQL builder.
func ReadSQL(h *Handler, schema, table, rawQuery string) (string, []any, error) {
	req := &request{method: "GET", schema: schema, target: table, cache: h.cache.Load()}
	pairs, err := parsePairs(rawQuery)
	if err != nil {
		return "", nil, err
	}
	req.pairs = pairs
	t := req.cache.table(schema, table)
	if t == nil {
		return "", nil, &Error{Status: 404, Code: "PGRST205", Message: "no table " + url.PathEscape(table)}
	}
	q, err := parseQuery(pairs, nil)
	if err != nil {
		return "", nil, err
	}
	src, args, _, e := h.readSource(req, t, q, true)
	if e != nil {
		return "", nil, e
	}
	return src, args, nil
}

// SplitKey exposes splitKey.
var SplitKey = splitKey
