package rest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// prefer is the parsed Prefer header.
type prefer struct {
	ret         string // minimal, headers-only, representation
	count       string // exact, planned, estimated
	resolution  string // merge-duplicates, ignore-duplicates
	missing     string // default
	tx          string // commit, rollback
	handling    string // strict, lenient
	maxAffected *int64
	timezone    string
	invalid     []string
}

func parsePrefer(h http.Header) prefer {
	var p prefer
	for _, line := range h.Values("Prefer") {
		for _, part := range strings.Split(line, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			k, v, _ := strings.Cut(part, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch {
			case k == "return" && (v == "minimal" || v == "headers-only" || v == "representation"):
				p.ret = v
			case k == "count" && (v == "exact" || v == "planned" || v == "estimated"):
				p.count = v
			case k == "resolution" && (v == "merge-duplicates" || v == "ignore-duplicates"):
				p.resolution = v
			case k == "missing" && v == "default":
				p.missing = v
			case k == "tx" && (v == "commit" || v == "rollback"):
				p.tx = v
			case k == "handling" && (v == "strict" || v == "lenient"):
				p.handling = v
			case k == "max-affected":
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					p.invalid = append(p.invalid, part)
					continue
				}
				p.maxAffected = &n
			case k == "timezone" && v != "":
				p.timezone = v
			default:
				p.invalid = append(p.invalid, part)
			}
		}
	}
	return p
}

type media int

const (
	mediaJSON media = iota
	mediaObject
	mediaCSV
	mediaPlan
	mediaText
	mediaGeo
)

type accept struct {
	kind         media
	stripNulls   bool
	planJSON     bool   // plan+json (else plan+text)
	planFor      string // media the plan is for
	planOptions  []string
	originalType string
	geoFn        string // qualified st_asgeojson(record), for GeoJSON
}

// parseAccept picks the first media type of Accept this server can produce.
func parseAccept(v string) (accept, *Error) {
	if strings.TrimSpace(v) == "" {
		return accept{kind: mediaJSON}, nil
	}
	for _, raw := range splitAccept(v) {
		mt, params := parseMediaType(raw)
		a := accept{originalType: mt}
		switch mt {
		case "*/*", "application/*", "application/json", "application/openapi+json":
			a.kind = mediaJSON
		case "application/vnd.pgrst.array+json":
			a.kind = mediaJSON
			a.stripNulls = params["nulls"] == "stripped"
		case "application/vnd.pgrst.object+json", "application/vnd.pgrst.object":
			a.kind = mediaObject
			a.stripNulls = params["nulls"] == "stripped"
		case "text/csv":
			a.kind = mediaCSV
		case "application/vnd.pgrst.plan", "application/vnd.pgrst.plan+json", "application/vnd.pgrst.plan+text":
			a.kind = mediaPlan
			a.planJSON = mt == "application/vnd.pgrst.plan+json"
			a.planFor = params["for"]
			if o := params["options"]; o != "" {
				a.planOptions = strings.Split(o, "|")
			}
		case "text/plain":
			a.kind = mediaText
		case "application/geo+json":
			a.kind = mediaGeo
		default:
			continue
		}
		return a, nil
	}
	return accept{}, apiErr(406, "PGRST107", "None of these media types are available: "+v, nil, nil)
}

func splitAccept(v string) []string {
	var out []string
	inQ := false
	start := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			inQ = !inQ
		case ',':
			if !inQ {
				out = append(out, strings.TrimSpace(v[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(v[start:]))
}

func parseMediaType(s string) (string, map[string]string) {
	params := map[string]string{}
	parts := strings.Split(s, ";")
	mt := strings.ToLower(strings.TrimSpace(parts[0]))
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok {
			continue
		}
		params[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return mt, params
}

// queryParams is the decoded query string.
type queryParams struct {
	selectItems []SelectItem
	hasSelect   bool
	columns     []string
	onConflict  []string
	params      map[string]*nodeParams
	rpcArgs     [][2]string // candidate function args (GET rpc), in order
	rawFilters  [][2]string
}

// parsePairs decodes a raw query string keeping order, with "+" as space.
func parsePairs(raw string) ([][2]string, error) {
	var out [][2]string
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			return nil, errParse("invalid query string", err.Error())
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			return nil, errParse("invalid query string", err.Error())
		}
		out = append(out, [2]string{dk, dv})
	}
	return out, nil
}

// splitKey splits "a.b.col" into the embed path "a.b" and "col"; JSON path
// arrows and double-quoted names stay with the column.
func splitKey(k string) (string, string) {
	last := -1
	inQ := false
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case c == '"':
			inQ = !inQ
		case inQ:
		case c == '-' && i+1 < len(k) && k[i+1] == '>':
			i = len(k)
		case c == '.':
			last = i
		}
	}
	if last < 0 {
		return "", k
	}
	return k[:last], k[last+1:]
}

func parseQuery(pairs [][2]string, isArg func(string) bool) (*queryParams, error) {
	q := &queryParams{params: map[string]*nodeParams{}}
	get := func(path string) *nodeParams {
		p := q.params[path]
		if p == nil {
			p = &nodeParams{}
			q.params[path] = p
		}
		return p
	}
	for _, kv := range pairs {
		k, v := kv[0], kv[1]
		switch k {
		case "select":
			items, err := ParseSelect(v)
			if err != nil {
				return nil, err
			}
			q.selectItems, q.hasSelect = items, true
			continue
		case "columns":
			cols, err := ParseColumns(v)
			if err != nil {
				return nil, err
			}
			q.columns = cols
			continue
		case "on_conflict":
			cols, err := ParseColumns(v)
			if err != nil {
				return nil, err
			}
			q.onConflict = cols
			continue
		}
		if isArg != nil && isArg(k) {
			q.rpcArgs = append(q.rpcArgs, kv)
			continue
		}
		path, last := splitKey(k)
		switch last {
		case "order":
			terms, err := ParseOrder(v)
			if err != nil {
				return nil, err
			}
			get(path).order = append(get(path).order, terms...)
		case "limit", "offset":
			n, err := parseNonNeg(last, v)
			if err != nil {
				return nil, err
			}
			if last == "limit" {
				get(path).limit = &n
			} else {
				get(path).offset = &n
			}
		case "or", "and":
			not := false
			if strings.HasSuffix(path, "not") && (path == "not" || strings.HasSuffix(path, ".not")) {
				not = true
				path = strings.TrimSuffix(strings.TrimSuffix(path, "not"), ".")
			}
			l, err := ParseLogic(last == "or", not, v)
			if err != nil {
				return nil, err
			}
			get(path).logic = append(get(path).logic, l)
		default:
			field, err := ParseField(last)
			if err != nil {
				return nil, err
			}
			f, err := ParseFilterValue(field, v)
			if err != nil {
				return nil, err
			}
			get(path).filters = append(get(path).filters, f)
		}
	}
	return q, nil
}
