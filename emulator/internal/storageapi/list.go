package storageapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/supakit/supakit/emulator/internal/reqctx"
)

type listRow struct {
	Name           string
	ID             string
	UpdatedAt      time.Time
	CreatedAt      time.Time
	LastAccessedAt time.Time
	Metadata       json.RawMessage
}

// listRows reads, as id (RLS applies), the rows of a bucket whose name
// starts with prefix.
func (h *Handler) listRows(ctx context.Context, id reqctx.Identity, bucketID, prefix string) ([]listRow, error) {
	var out []listRow
	err := h.asRole(ctx, id, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `select name, id::text, updated_at, created_at, last_accessed_at, metadata
			from storage.objects where bucket_id = $1 and name like $2 escape '\'`, bucketID, likeEscape(prefix)+"%")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r listRow
			if err := rows.Scan(&r.Name, &r.ID, &r.UpdatedAt, &r.CreatedAt, &r.LastAccessedAt, &r.Metadata); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

type sortBy struct {
	Column string `json:"column"`
	Order  string `json:"order"`
}

func (s *sortBy) normalise(allowed ...string) error {
	if s.Column == "" {
		s.Column = "name"
	}
	ok := false
	for _, a := range allowed {
		ok = ok || s.Column == a
	}
	if !ok {
		return errInvalidRequest("body/sortBy/column must be equal to one of the allowed values")
	}
	switch strings.ToLower(s.Order) {
	case "", "asc":
		s.Order = "asc"
	case "desc":
		s.Order = "desc"
	default:
		return errInvalidRequest("body/sortBy/order must be equal to one of the allowed values")
	}
	return nil
}

func (r *listRow) at(column string) time.Time {
	switch column {
	case "updated_at":
		return r.UpdatedAt
	case "created_at":
		return r.CreatedAt
	default:
		return r.LastAccessedAt
	}
}

type listEntryJSON struct {
	Name           string          `json:"name"`
	ID             *string         `json:"id"`
	UpdatedAt      *string         `json:"updated_at"`
	CreatedAt      *string         `json:"created_at"`
	LastAccessedAt *string         `json:"last_accessed_at"`
	Metadata       json.RawMessage `json:"metadata"`
}

// POST /object/list/{bucket}: one level of the bucket under prefix: files,
// and folders (id and metadata null). Sorting by name interleaves both
// (case-insensitively, bytewise) as Storage does; other columns put
// folders first.
func (h *Handler) listObjects(w http.ResponseWriter, r *http.Request, bucketID string) error {
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	var body struct {
		Prefix *string `json:"prefix"`
		Limit  *int    `json:"limit"`
		Offset *int    `json:"offset"`
		SortBy sortBy  `json:"sortBy"`
		Search string  `json:"search"`
	}
	if err := readJSON(r, &body); err != nil {
		return err
	}
	if body.Prefix == nil {
		return errInvalidRequest("body must have required property 'prefix'")
	}
	limit, offset := 100, 0
	if body.Limit != nil {
		if *body.Limit < 1 {
			return errInvalidRequest("body/limit must be >= 1")
		}
		limit = *body.Limit
	}
	if body.Offset != nil {
		if *body.Offset < 0 {
			return errInvalidRequest("body/offset must be >= 0")
		}
		offset = *body.Offset
	}
	if err := body.SortBy.normalise("name", "updated_at", "created_at", "last_accessed_at"); err != nil {
		return err
	}
	prefix := *body.Prefix
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	dir := "asc"
	if body.SortBy.Order == "desc" {
		dir = "desc"
	}
	// One level under prefix, folded and sorted in the database (RLS
	// applies to the rows read): folders are the first path segment of
	// deeper names.
	order := fmt.Sprintf(`lower(name || case when folder then '/' else '' end) collate "C" %s`, dir)
	if col := body.SortBy.Column; col != "name" {
		order = fmt.Sprintf(`folder desc, case when folder then name end collate "C" %s, %s %s, name collate "C"`, dir, col, dir)
	}
	sql := `with m as (
		select o.id, o.updated_at, o.created_at, o.last_accessed_at, o.metadata,
		       substr(o.name, char_length($3::text) + 1) as rel
		from storage.objects o
		where o.bucket_id = $1 and lower(o.name) like $2 escape '\'
	), entries as (
		select split_part(rel, '/', 1) as name, null::text as id, null::timestamptz as updated_at,
		       null::timestamptz as created_at, null::timestamptz as last_accessed_at, null::jsonb as metadata,
		       true as folder
		from m where strpos(rel, '/') > 0
		group by 1
		union all
		select rel, id::text, updated_at, created_at, last_accessed_at, metadata, false
		from m where strpos(rel, '/') = 0
	)
	select name, id, updated_at, created_at, last_accessed_at, metadata from entries
	order by ` + order + ` limit $4 offset $5`
	pattern := strings.ToLower(likeEscape(prefix+body.Search)) + "%"
	out := []listEntryJSON{}
	err = h.asRole(r.Context(), id, func(tx pgx.Tx) error {
		rows, err := tx.Query(r.Context(), sql, bucketID, pattern, prefix, limit, offset)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e listEntryJSON
			var up, cr, la *time.Time
			if err := rows.Scan(&e.Name, &e.ID, &up, &cr, &la, &e.Metadata); err != nil {
				return err
			}
			e.UpdatedAt, e.CreatedAt, e.LastAccessedAt = jsTimePtr(up), jsTimePtr(cr), jsTimePtr(la)
			e.Metadata = rawOrNull(e.Metadata)
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type v2Folder struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

type v2Object struct {
	Key            string          `json:"key"`
	Name           string          `json:"name"`
	ID             string          `json:"id"`
	UpdatedAt      string          `json:"updated_at"`
	CreatedAt      string          `json:"created_at"`
	LastAccessedAt string          `json:"last_accessed_at"`
	Metadata       json.RawMessage `json:"metadata"`
}

// v2Item is a folder (row nil) or an object, with its sort position.
type v2Item struct {
	name string // full name; folders end with '/'
	rank int    // 0 folders, 1 objects (non-name sorts put folders first)
	at   int64  // unix nanoseconds of the sort column (non-name sorts)
	row  *listRow
}

// cursor encodes an item's sort position: "l:<name>" when sorting by name
// (as Storage does), "t:<rank>:<nanos>:<name>" otherwise.
func (it v2Item) cursor(byName bool) string {
	if byName {
		return "l:" + it.name
	}
	return fmt.Sprintf("t:%d:%d:%s", it.rank, it.at, it.name)
}

func parseCursor(c string, byName bool) (v2Item, error) {
	raw, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return v2Item{}, errInvalidRequest("invalid cursor")
	}
	s := string(raw)
	if byName {
		if name, ok := strings.CutPrefix(s, "l:"); ok {
			return v2Item{name: name}, nil
		}
		return v2Item{}, errInvalidRequest("invalid cursor")
	}
	parts := strings.SplitN(strings.TrimPrefix(s, "t:"), ":", 3)
	if !strings.HasPrefix(s, "t:") || len(parts) != 3 {
		return v2Item{}, errInvalidRequest("invalid cursor")
	}
	rank, err1 := strconv.Atoi(parts[0])
	at, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return v2Item{}, errInvalidRequest("invalid cursor")
	}
	return v2Item{rank: rank, at: at, name: parts[2]}, nil
}

// POST /object/list-v2/{bucket}: cursor-paged listing under prefix, with
// folders when with_delimiter is set.
func (h *Handler) listObjectsV2(w http.ResponseWriter, r *http.Request, bucketID string) error {
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	var body struct {
		Prefix        string `json:"prefix"`
		Limit         *int   `json:"limit"`
		Cursor        string `json:"cursor"`
		WithDelimiter bool   `json:"with_delimiter"`
		SortBy        sortBy `json:"sortBy"`
	}
	if err := readJSON(r, &body); err != nil {
		return err
	}
	limit := 1000
	if body.Limit != nil {
		if *body.Limit < 1 {
			return errInvalidRequest("body/limit must be >= 1")
		}
		limit = min(*body.Limit, 1000)
	}
	if err := body.SortBy.normalise("name", "updated_at", "created_at"); err != nil {
		return err
	}
	byName := body.SortBy.Column == "name"
	desc := body.SortBy.Order == "desc"
	rows, err := h.listRows(r.Context(), id, bucketID, body.Prefix)
	if err != nil {
		return err
	}
	var items []v2Item
	seen := map[string]bool{}
	for i := range rows {
		rel := rows[i].Name[len(body.Prefix):]
		if body.WithDelimiter {
			if j := strings.IndexByte(rel, '/'); j >= 0 {
				f := body.Prefix + rel[:j+1]
				if !seen[f] {
					seen[f] = true
					items = append(items, v2Item{name: f})
				}
				continue
			}
		}
		it := v2Item{name: rows[i].Name, rank: 1, row: &rows[i]}
		if !byName {
			it.at = rows[i].at(body.SortBy.Column).UnixNano()
		}
		items = append(items, it)
	}
	less := func(a, b v2Item) bool {
		if !byName {
			if a.rank != b.rank {
				return a.rank < b.rank
			}
			if a.at != b.at {
				if desc {
					return a.at > b.at
				}
				return a.at < b.at
			}
		}
		if desc {
			return a.name > b.name
		}
		return a.name < b.name
	}
	sort.SliceStable(items, func(i, j int) bool { return less(items[i], items[j]) })
	if body.Cursor != "" {
		c, err := parseCursor(body.Cursor, byName)
		if err != nil {
			return err
		}
		k := sort.Search(len(items), func(i int) bool { return less(c, items[i]) })
		items = items[k:]
	}
	hasNext := len(items) > limit
	if hasNext {
		items = items[:limit]
	}
	out := struct {
		HasNext       bool       `json:"hasNext"`
		NextCursor    string     `json:"nextCursor,omitempty"`
		NextCursorKey string     `json:"nextCursorKey,omitempty"`
		Folders       []v2Folder `json:"folders"`
		Objects       []v2Object `json:"objects"`
	}{HasNext: hasNext, Folders: []v2Folder{}, Objects: []v2Object{}}
	for _, it := range items {
		key := it.name[len(body.Prefix):]
		if it.row == nil {
			out.Folders = append(out.Folders, v2Folder{Key: key, Name: it.name})
			continue
		}
		out.Objects = append(out.Objects, v2Object{Key: key, Name: it.name, ID: it.row.ID,
			UpdatedAt: jsTime(it.row.UpdatedAt), CreatedAt: jsTime(it.row.CreatedAt),
			LastAccessedAt: jsTime(it.row.LastAccessedAt), Metadata: rawOrNull(it.row.Metadata)})
	}
	if hasNext && len(items) > 0 {
		last := items[len(items)-1]
		out.NextCursor = base64.StdEncoding.EncodeToString([]byte(last.cursor(byName)))
		out.NextCursorKey = last.name
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
