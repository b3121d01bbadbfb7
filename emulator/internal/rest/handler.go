package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/supakit/supakit/emulator/internal/dbrole"
	"github.com/supakit/supakit/emulator/internal/reqctx"
)

// Config tunes a Handler. The zero value exposes schema public with
// Supabase's defaults.
type Config struct {
	// Schemas are the exposed schemas; the first is the default profile.
	// Empty means ["public"].
	Schemas []string
	// MaxRows caps the rows a read returns; zero means 1000, negative
	// means no cap.
	MaxRows int
	// StatementTimeout bounds each statement; zero leaves the server's.
	StatementTimeout time.Duration
	// MaxBodyBytes caps request bodies; zero means 10 MiB.
	MaxBodyBytes int64
	// ExtraSearchPath follows the request's schema in search_path; nil
	// means ["public", "extensions"], like Supabase.
	ExtraSearchPath []string
	// AnonRole is the role whose permission errors answer 401; empty
	// means "anon".
	AnonRole string
}

// Handler serves PostgREST's API. It is safe for concurrent use.
type Handler struct {
	pool   *pgxpool.Pool
	cfg    Config
	cache  atomic.Pointer[Cache]
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex // serialises reloads
}

var _ http.Handler = (*Handler)(nil)

// New loads the schema cache and starts listening on channel pgrst for
// "reload schema" notifications.
func New(ctx context.Context, pool *pgxpool.Pool, cfg Config) (*Handler, error) {
	if pool == nil {
		return nil, errors.New("rest: nil pool")
	}
	if len(cfg.Schemas) == 0 {
		cfg.Schemas = []string{"public"}
	}
	if cfg.MaxRows == 0 {
		cfg.MaxRows = 1000
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 10 << 20
	}
	if cfg.ExtraSearchPath == nil {
		cfg.ExtraSearchPath = []string{"public", "extensions"}
	}
	if cfg.AnonRole == "" {
		cfg.AnonRole = "anon"
	}
	h := &Handler{pool: pool, cfg: cfg}
	if err := h.Reload(ctx); err != nil {
		return nil, err
	}
	// LISTEN before returning, so that a NOTIFY sent right after New is
	// seen. The listening connection is its own, outside the pool: it is
	// held for the handler's life and must not take a request's place
	// (with a small pool, that would leave requests waiting forever).
	conn, err := h.listenConn(ctx)
	if err != nil {
		return nil, fmt.Errorf("rest: listen: %w", err)
	}
	lctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.wg.Add(1)
	go h.listen(lctx, conn)
	return h, nil
}

// Reload reloads the schema cache from the catalog.
func (h *Handler) Reload(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, err := loadCache(ctx, h.pool)
	if err != nil {
		return err
	}
	h.cache.Store(c)
	return nil
}

// Close stops listening for reload notifications. It does not close the pool.
func (h *Handler) Close() {
	if h.cancel != nil {
		h.cancel()
	}
	h.wg.Wait()
}

// listenConn opens a connection like the pool's and listens on pgrst.
func (h *Handler) listenConn(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, h.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN pgrst"); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return conn, nil
}

// listen waits for notifications on conn (already listening); when the
// connection breaks it reconnects, and reloads in case one was missed.
func (h *Handler) listen(ctx context.Context, conn *pgx.Conn) {
	defer h.wg.Done()
	defer func() {
		if conn != nil {
			_ = conn.Close(context.Background())
		}
	}()
	for ctx.Err() == nil {
		if conn == nil {
			cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			c, err := h.listenConn(cctx)
			cancel()
			if err == nil {
				conn = c
				rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				_ = h.Reload(rctx)
				cancel()
			} else {
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Second):
				}
				continue
			}
		}
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			_ = conn.Close(context.Background())
			conn = nil
			continue
		}
		if n.Payload == "" || n.Payload == "reload schema" {
			rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			_ = h.Reload(rctx)
			cancel()
		}
	}
}

// ServeHTTP answers one PostgREST request. r.URL.Path has the /rest/v1
// prefix stripped.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, ok := reqctx.From(r.Context())
	if !ok || id.Role == "" {
		writeError(w, apiErr(401, "PGRST301", "No authorization: the request carries no verified identity", nil, nil))
		return
	}
	resp, e := h.serve(r, id)
	if e != nil {
		writeError(w, e)
		return
	}
	for k, v := range resp.headers {
		w.Header().Set(k, v)
	}
	// HEAD answers the headers GET would, Content-Type included, though
	// the body is never read.
	if resp.contentType != "" && (resp.body != nil || r.Method == http.MethodHead) {
		w.Header().Set("Content-Type", resp.contentType)
		if resp.profile != "" {
			w.Header().Set("Content-Profile", resp.profile)
		}
	}
	w.WriteHeader(resp.status)
	if r.Method != http.MethodHead && resp.body != nil {
		_, _ = io.WriteString(w, *resp.body)
	}
}

type response struct {
	status      int
	headers     map[string]string
	contentType string
	profile     string // the negotiated schema, sent as Content-Profile
	body        *string
}

// request is everything parsed from one HTTP request.
type request struct {
	method string
	schema string
	target string
	isRPC  bool
	pairs  [][2]string
	prefer prefer
	accept accept
	body   []byte
	hdr    http.Header
	id     reqctx.Identity
	cache  *Cache
	rng    *[2]int // Range header: first, last (-1 open)
	// rawBody is set when the body is not JSON (text/plain, octet-stream,
	// XML) and goes as is to a function's single unnamed parameter.
	rawBody bool
	path    string
	// searchPath is set by run.
	searchPath string
}

// settings returns the statement that sets PostgREST's request GUCs
// (settingsMap), names and values bound.
func (req *request) settings() (string, []any) {
	m := req.settingsMap()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	args := make([]any, 0, 2*len(keys))
	sb.WriteString("SELECT ")
	for i, k := range keys {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "set_config($%d, $%d, true)", 2*i+1, 2*i+2)
		args = append(args, k, m[k])
	}
	return sb.String(), args
}

// settingsMap returns PostgREST's request settings (search_path, method,
// path, headers without credentials, cookies), then the role's own
// settings (ALTER ROLE … SET), then the Prefer timezone: where a name
// repeats, the later value wins.
func (req *request) settingsMap() map[string]string {
	hdrs := map[string]string{}
	for k, v := range req.hdr {
		lk := strings.ToLower(k)
		if lk == "authorization" || lk == "apikey" || lk == "cookie" || len(v) == 0 {
			continue
		}
		hdrs[lk] = v[0]
	}
	hj, _ := json.Marshal(hdrs)
	cookies := map[string]string{}
	for _, c := range (&http.Request{Header: req.hdr}).Cookies() {
		cookies[c.Name] = c.Value
	}
	cj, _ := json.Marshal(cookies)
	m := map[string]string{
		"search_path":     req.searchPath,
		"request.method":  req.method,
		"request.path":    req.path,
		"request.headers": string(hj),
		"request.cookies": string(cj),
	}
	for _, kv := range req.cache.roleSettings[req.id.Role] {
		m[kv[0]] = kv[1]
	}
	if req.prefer.timezone != "" {
		m["timezone"] = req.prefer.timezone
	}
	return m
}

// mainRow runs the settings and the main statement in one round trip and
// scans the main statement's row.
func mainRow(ctx context.Context, tx pgx.Tx, req *request, sql string, args []any) (result, error) {
	b := &pgx.Batch{}
	ss, sa := req.settings()
	b.Queue(ss, sa...)
	b.Queue(sql, args...)
	br := tx.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		_ = br.Close()
		return result{}, err
	}
	res, err := scanResult(br.QueryRow())
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return res, err
}

// applySettings sets the request GUCs on their own.
func applySettings(ctx context.Context, tx pgx.Tx, req *request) error {
	ss, sa := req.settings()
	_, err := tx.Exec(ctx, ss, sa...)
	return err
}

func (h *Handler) serve(r *http.Request, id reqctx.Identity) (resp *response, e *Error) {
	req := &request{method: r.Method, hdr: r.Header, id: id, cache: h.cache.Load(), path: r.URL.Path}
	path := strings.TrimPrefix(r.URL.Path, "/")
	root := false
	switch {
	case path == "":
		root = true
	case strings.HasPrefix(path, "rpc/"):
		req.isRPC = true
		req.target = strings.TrimPrefix(path, "rpc/")
	default:
		req.target = path
	}
	if root {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions {
			return nil, apiErr(405, "PGRST117", "Unsupported HTTP method: "+r.Method, nil, nil)
		}
	} else if req.target == "" || strings.Contains(req.target, "/") {
		return nil, apiErr(404, "PGRST125", "Invalid path specified in request URL", nil, nil)
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch, http.MethodDelete:
	case http.MethodPut:
		if req.isRPC {
			return nil, apiErr(405, "PGRST101", "Only GET and POST are allowed for functions", nil, nil)
		}
	case http.MethodOptions:
		return h.options(req, root)
	default:
		return nil, apiErr(405, "PGRST117", "Unsupported HTTP method: "+r.Method, nil, nil)
	}
	if req.isRPC && (r.Method == http.MethodPatch || r.Method == http.MethodDelete) {
		return nil, apiErr(405, "PGRST101", "Only GET and POST are allowed for functions", nil, nil)
	}
	// schema profile
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	prof := r.Header.Get("Content-Profile")
	if read {
		prof = r.Header.Get("Accept-Profile")
	}
	req.schema = h.cfg.Schemas[0]
	if prof != "" {
		found := false
		for _, s := range h.cfg.Schemas {
			if s == prof {
				found = true
			}
		}
		if !found {
			return nil, apiErr(406, "PGRST106", "The schema must be one of the following: "+strings.Join(h.cfg.Schemas, ", "), nil, nil)
		}
		req.schema = prof
	}
	// A schema picked by a profile header, or one of several exposed, is
	// named back in Content-Profile next to the Content-Type.
	if prof != "" || len(h.cfg.Schemas) > 1 {
		defer func() {
			if resp != nil {
				resp.profile = req.schema
			}
		}()
	}
	var err error
	req.pairs, err = parsePairs(r.URL.RawQuery)
	if err != nil {
		return nil, asAPI(err)
	}
	req.prefer = parsePrefer(r.Header)
	if req.prefer.handling == "strict" && len(req.prefer.invalid) > 0 {
		return nil, apiErr(400, "PGRST122", "Invalid preferences given with handling=strict", "Invalid preferences: "+strings.Join(req.prefer.invalid, ", "), nil)
	}
	a, aerr := parseAccept(r.Header.Get("Accept"))
	if aerr != nil {
		return nil, aerr
	}
	req.accept = a
	switch a.kind {
	case mediaGeo:
		for k, fs := range req.cache.funcs {
			if k[1] != "st_asgeojson" {
				continue
			}
			for _, f := range fs {
				if len(f.Args) >= 1 && f.Args[0].TypeOID == oidRecord {
					req.accept.geoFn = qualified(f.Schema, f.Name)
				}
			}
		}
		if req.accept.geoFn == "" {
			return nil, errUnsupported("GeoJSON output without PostGIS (st_asgeojson(record) is not installed)")
		}
	case mediaText:
		if !req.isRPC {
			return nil, apiErr(406, "PGRST107", "None of these media types are available: "+r.Header.Get("Accept"), nil, nil)
		}
	}
	if rg := r.Header.Get("Range"); rg != "" && read {
		unit := r.Header.Get("Range-Unit")
		if unit == "" || unit == "items" {
			if lo, hi, ok := strings.Cut(strings.TrimPrefix(rg, "items="), "-"); ok {
				l, err1 := strconv.Atoi(strings.TrimSpace(lo))
				u := -1
				var err2 error
				if strings.TrimSpace(hi) != "" {
					u, err2 = strconv.Atoi(strings.TrimSpace(hi))
				}
				if err1 == nil && err2 == nil && l >= 0 && (u < 0 || u >= l) {
					req.rng = &[2]int{l, u}
				} else if err1 == nil && err2 == nil {
					return nil, apiErr(416, "PGRST103", "Requested range not satisfiable", nil, nil)
				}
			}
		}
	}
	if r.Body != nil && !read {
		lr := io.LimitReader(r.Body, h.cfg.MaxBodyBytes+1)
		req.body, err = io.ReadAll(lr)
		if err != nil {
			return nil, apiErr(400, "PGRST102", "Could not read the request body", err.Error(), nil)
		}
		if int64(len(req.body)) > h.cfg.MaxBodyBytes {
			return nil, apiErr(413, "PGRST413", fmt.Sprintf("Request body exceeds the limit of %d bytes", h.cfg.MaxBodyBytes), nil, nil)
		}
	}
	if root {
		return h.openAPI(r.Context(), req, r.Host)
	}
	if !read {
		if e := normalizeBody(req); e != nil {
			return nil, e
		}
	}
	if req.isRPC {
		return h.rpc(r.Context(), req)
	}
	t := req.cache.table(req.schema, req.target)
	if t == nil || t.Kind == "c" {
		hint := any(nil)
		if s := req.cache.similarTable(req.schema, req.target); s != "" {
			hint = fmt.Sprintf("Perhaps you meant the table '%s.%s'", req.schema, s)
		}
		return nil, apiErr(404, "PGRST205", fmt.Sprintf("Could not find the table '%s.%s' in the schema cache", req.schema, req.target), nil, hint)
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return h.read(r.Context(), req, t)
	default:
		return h.mutate(r.Context(), req, t)
	}
}

// options answers OPTIONS with the methods the target allows.
func (h *Handler) options(req *request, root bool) (*response, *Error) {
	allow := "OPTIONS,GET,HEAD"
	switch {
	case root:
	case req.isRPC:
		allow = "OPTIONS,GET,HEAD,POST"
	default:
		t := req.cache.table(h.cfg.Schemas[0], req.target)
		if p := req.hdr.Get("Accept-Profile"); p != "" {
			t = req.cache.table(p, req.target)
		}
		if t == nil {
			return nil, apiErr(404, "PGRST205", fmt.Sprintf("Could not find the table '%s' in the schema cache", req.target), nil, nil)
		}
		if t.Kind == "r" || t.Kind == "p" || t.Kind == "f" || t.Kind == "v" {
			allow = "OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE"
		}
	}
	return &response{status: 200, headers: map[string]string{"Allow": allow}}, nil
}

func asAPI(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return apiErr(500, "PGRST000", err.Error(), nil, nil)
}

func (h *Handler) maxRows() int {
	if h.cfg.MaxRows < 0 {
		return 0
	}
	return h.cfg.MaxRows
}

// applyRange folds the Range header into the root's limit/offset.
func applyRange(req *request, p *nodeParams) {
	if req.rng == nil {
		return
	}
	lo, hi := req.rng[0], req.rng[1]
	off := lo
	if p.offset != nil {
		off = max(off, *p.offset)
	}
	p.offset = &off
	if hi >= 0 {
		n := hi - lo + 1
		if p.limit == nil || *p.limit > n {
			p.limit = &n
		}
	}
}

// result is what the main statement returns.
type result struct {
	total   *int64
	page    int64
	body    *string
	updated *bool
	// respHeaders and respStatus are what SQL set in response.headers and
	// response.status.
	respHeaders *string
	respStatus  *string
}

func (h *Handler) run(ctx context.Context, req *request, readOnly bool, fn func(pgx.Tx) error) *Error {
	return h.dbError(req, dbrole.Run(ctx, h.pool, req.id, h.txOptions(req, readOnly), fn))
}

// runRead runs a read-only request's settings and main statement in one
// round trip with its transaction (dbrole.RunBatch): BEGIN READ ONLY, role
// and claims, request settings, the statement and COMMIT go together. A
// read-only transaction changes nothing, so committing before the caller
// inspects the result (single-object checks) is the same as rolling back.
func (h *Handler) runRead(ctx context.Context, req *request, sql string, args []any) (result, *Error) {
	var res result
	opts := h.txOptions(req, true)
	// The request settings join the role and claims in dbrole's one
	// set_config statement.
	opts.Settings = req.settingsMap()
	err := dbrole.RunBatch(ctx, h.pool, req.id, opts,
		func(b *pgx.Batch) { b.Queue(sql, args...) },
		func(br pgx.BatchResults) error {
			var err error
			res, err = scanResult(br.QueryRow())
			return err
		})
	return res, h.dbError(req, err)
}

// txOptions are the transaction options of req; they also set
// req.searchPath, which req.settings sends.
func (h *Handler) txOptions(req *request, readOnly bool) dbrole.Options {
	sp := quoteIdent(req.schema)
	for _, s := range h.cfg.ExtraSearchPath {
		sp += ", " + quoteIdent(s)
	}
	req.searchPath = sp
	return dbrole.Options{
		StatementTimeout: h.cfg.StatementTimeout,
		ReadOnly:         readOnly,
		Rollback:         req.prefer.tx == "rollback",
	}
}

// dbError maps the failure of a request's transaction to PostgREST's
// answer; nil stays nil.
func (h *Handler) dbError(req *request, err error) *Error {
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return fromPg(pe, req.id.Role == h.cfg.AnonRole)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return apiErr(504, "PGRST003", "The request was cancelled or timed out", nil, nil)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return apiErr(503, "PGRST001", "Database connection error", nil, nil)
	}
	// Other client-side failures; the cause is not echoed, as it may
	// quote request values.
	return apiErr(500, "PGRST000", "Internal error running the request", nil, nil)
}

// wrapSQL builds the final statement over a CTE named pgrst_source.
func wrapSQL(ctes []string, bodyExpr, totalExpr, extra string) string {
	var sb strings.Builder
	sb.WriteString("WITH ")
	sb.WriteString(strings.Join(ctes, ", "))
	sb.WriteString(" SELECT ")
	if totalExpr == "" {
		totalExpr = "NULL::int8"
	}
	sb.WriteString(totalExpr)
	sb.WriteString(" AS total, pg_catalog.count(_postgrest_t)::int8 AS page_total, ")
	sb.WriteString(bodyExpr)
	sb.WriteString(" AS body, ")
	if extra == "" {
		extra = "NULL::bool"
	}
	sb.WriteString(extra)
	sb.WriteString(" AS updated, nullif(current_setting('response.headers', true), '') AS response_headers," +
		" nullif(current_setting('response.status', true), '') AS response_status FROM (SELECT * FROM pgrst_source) _postgrest_t")
	return sb.String()
}

func bodyExpr(a accept, single bool, scalarCol string) string {
	if a.kind == mediaPlan {
		// The plan is of the statement the "for" media type would run.
		inner, _ := parseAccept(a.planFor)
		if inner.kind == mediaPlan {
			inner = accept{kind: mediaJSON}
		}
		return bodyExpr(inner, single || inner.kind == mediaObject, scalarCol)
	}
	row := "_postgrest_t"
	if scalarCol != "" {
		row = "_postgrest_t." + quoteIdent(scalarCol)
	}
	agg := "json_agg(" + row + ")"
	if a.stripNulls {
		agg = "json_strip_nulls(" + agg + ")"
	}
	switch {
	case a.kind == mediaGeo:
		return "json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(" + a.geoFn + "(_postgrest_t)::json), '[]'))::text"
	case a.kind == mediaText:
		return "coalesce((array_agg(" + row + "::text))[1], '')"
	case a.kind == mediaCSV:
		return "(SELECT coalesce(string_agg(a.k, ','), '') FROM (SELECT json_object_keys(r) AS k FROM (SELECT row_to_json(hh) AS r FROM pgrst_source AS hh LIMIT 1) s) a)" +
			" || chr(10) || coalesce(string_agg(substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2), chr(10)), '')"
	case single:
		return "coalesce((" + agg + "->0)::text, 'null')"
	default:
		return "coalesce(" + agg + ", '[]')::text"
	}
}

func scanResult(row pgx.Row) (result, error) {
	var res result
	err := row.Scan(&res.total, &res.page, &res.body, &res.updated, &res.respHeaders, &res.respStatus)
	return res, err
}

// applyGUCResponse applies the response.headers and response.status that
// SQL set (PostgREST's way for functions and triggers to shape the answer).
func applyGUCResponse(resp *response, res result) *Error {
	if res.respHeaders != nil {
		var hs []map[string]string
		if err := json.Unmarshal([]byte(*res.respHeaders), &hs); err != nil {
			return apiErr(500, "PGRST111", "response.headers guc must be a JSON array composed of objects with a single key and a string value", nil, nil)
		}
		if resp.headers == nil {
			resp.headers = map[string]string{}
		}
		for _, h := range hs {
			if len(h) != 1 {
				return apiErr(500, "PGRST111", "response.headers guc must be a JSON array composed of objects with a single key and a string value", nil, nil)
			}
			for k, v := range h {
				resp.headers[http.CanonicalHeaderKey(k)] = v
			}
		}
	}
	if res.respStatus != nil {
		n, err := strconv.Atoi(strings.TrimSpace(*res.respStatus))
		if err != nil || n < 100 || n > 599 {
			return apiErr(500, "PGRST112", "response.status guc must be a valid status code", nil, nil)
		}
		resp.status = n
	}
	return nil
}

func contentTypeFor(a accept) string {
	switch a.kind {
	case mediaCSV:
		return "text/csv; charset=utf-8"
	case mediaGeo:
		return "application/geo+json; charset=utf-8"
	case mediaText:
		return "text/plain; charset=utf-8"
	case mediaObject:
		if a.stripNulls {
			return "application/vnd.pgrst.object+json; nulls=stripped; charset=utf-8"
		}
		return "application/vnd.pgrst.object+json; charset=utf-8"
	}
	if a.stripNulls {
		return "application/vnd.pgrst.array+json; nulls=stripped; charset=utf-8"
	}
	return "application/json; charset=utf-8"
}

func singleErr(n int64) *Error {
	return apiErr(406, "PGRST116", "Cannot coerce the result to a single JSON object", fmt.Sprintf("The result contains %d rows", n), nil)
}

// explain runs EXPLAIN over the main statement.
func (h *Handler) explain(ctx context.Context, req *request, readOnly bool, sql string, args []any) (*response, *Error) {
	opts := []string{"FORMAT TEXT"}
	if req.accept.planJSON {
		opts[0] = "FORMAT JSON"
	}
	for _, o := range req.accept.planOptions {
		switch strings.ToLower(strings.TrimSpace(o)) {
		case "analyze":
			opts = append(opts, "ANALYZE")
		case "verbose":
			opts = append(opts, "VERBOSE")
		case "settings":
			opts = append(opts, "SETTINGS")
		case "buffers":
			opts = append(opts, "BUFFERS")
		case "wal":
			opts = append(opts, "WAL")
		case "":
		default:
			return nil, apiErr(406, "PGRST107", "None of these media types are available: "+req.hdr.Get("Accept"), nil, nil)
		}
	}
	var lines []string
	e := h.run(ctx, req, readOnly, func(tx pgx.Tx) error {
		if err := applySettings(ctx, tx, req); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "EXPLAIN ("+strings.Join(opts, ", ")+") "+sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			lines = append(lines, s)
		}
		return rows.Err()
	})
	if e != nil {
		return nil, e
	}
	body := strings.Join(lines, "\n")
	forType := req.accept.planFor
	if forType == "" {
		forType = "application/json"
	}
	ct := "application/vnd.pgrst.plan+text; for=\"" + forType + "\"; charset=utf-8"
	if req.accept.planJSON {
		ct = "application/vnd.pgrst.plan+json; for=\"" + forType + "\"; charset=utf-8"
	}
	return &response{status: 200, contentType: ct, body: &body}, nil
}

// plannedCount asks the planner for the row estimate of sql.
func plannedCount(ctx context.Context, tx pgx.Tx, sql string, args []any) (int64, error) {
	var plan string
	if err := tx.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+sql, args...).Scan(&plan); err != nil {
		return 0, err
	}
	var v []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(plan), &v); err != nil || len(v) == 0 {
		return 0, fmt.Errorf("rest: read plan: %w", err)
	}
	return int64(v[0].Plan.Rows), nil
}

func contentRange(offset int, page int64, total *int64) string {
	t := "*"
	if total != nil {
		t = strconv.FormatInt(*total, 10)
	}
	if page == 0 {
		return "*/" + t
	}
	return fmt.Sprintf("%d-%d/%s", offset, int64(offset)+page-1, t)
}

func readStatus(offset int, page int64, total *int64) int {
	if total == nil {
		return 200
	}
	if int64(offset) > *total && !(offset == 0 && *total == 0) {
		return 416
	}
	if page < *total && (offset > 0 || page+int64(offset) < *total) {
		return 206
	}
	return 200
}
