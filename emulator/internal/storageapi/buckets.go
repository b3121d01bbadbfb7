package storageapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/supakit/supakit/emulator/internal/reqctx"
)

type bucket struct {
	ID            string
	Name          string
	Owner         *string
	Public        bool
	FileSizeLimit *int64
	AllowedMime   []string
	Type          string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

const bucketCols = `id, name, owner::text, public, file_size_limit, allowed_mime_types, type, created_at, updated_at`

func scanBucket(row pgx.Row) (*bucket, error) {
	var b bucket
	if err := row.Scan(&b.ID, &b.Name, &b.Owner, &b.Public, &b.FileSizeLimit, &b.AllowedMime, &b.Type, &b.CreatedAt, &b.UpdatedAt); err != nil {
		return nil, err
	}
	return &b, nil
}

// bucketJSON is GET /bucket/{id}'s shape; bucketListJSON adds "type", as
// the list endpoint does.
type bucketJSON struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Owner            string   `json:"owner"`
	Public           bool     `json:"public"`
	FileSizeLimit    *int64   `json:"file_size_limit"`
	AllowedMimeTypes []string `json:"allowed_mime_types"`
	CreatedAt        string   `json:"created_at"`
	UpdatedAt        string   `json:"updated_at"`
}

type bucketListJSON struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Owner            string   `json:"owner"`
	Public           bool     `json:"public"`
	Type             string   `json:"type"`
	FileSizeLimit    *int64   `json:"file_size_limit"`
	AllowedMimeTypes []string `json:"allowed_mime_types"`
	CreatedAt        string   `json:"created_at"`
	UpdatedAt        string   `json:"updated_at"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// findBucket looks a bucket up as service_role; (nil, nil) when missing.
func (h *Handler) findBucket(ctx context.Context, id string) (*bucket, error) {
	var b *bucket
	err := h.asService(ctx, func(tx pgx.Tx) error {
		var err error
		b, err = scanBucket(tx.QueryRow(ctx, `select `+bucketCols+` from storage.buckets where id = $1`, id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return b, err
}

// readJSON decodes a small JSON request body into dst; an empty body
// leaves dst untouched.
func readJSON(r *http.Request, dst any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return errInvalidRequest("Body is not valid JSON")
	}
	return nil
}

type bucketBody struct {
	ID               *string         `json:"id"`
	Name             *string         `json:"name"`
	Public           *bool           `json:"public"`
	FileSizeLimit    json.RawMessage `json:"file_size_limit"`
	AllowedMimeTypes json.RawMessage `json:"allowed_mime_types"`
}

func decodeSize(raw json.RawMessage) (*int64, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, errInvalidRequest("file_size_limit is not valid")
	}
	return parseSize(v)
}

func decodeMimes(raw json.RawMessage) ([]string, error) {
	var v []string
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, errInvalidRequest("body/allowed_mime_types must be array")
	}
	return v, nil
}

// POST /bucket
func (h *Handler) createBucket(w http.ResponseWriter, r *http.Request) error {
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	var body bucketBody
	if err := readJSON(r, &body); err != nil {
		return err
	}
	if body.Name == nil {
		return errInvalidRequest("body must have required property 'name'")
	}
	bid := *body.Name
	if body.ID != nil && *body.ID != "" {
		bid = *body.ID
	}
	if err := checkBucketName(*body.Name); err != nil {
		return err
	}
	if err := checkBucketName(bid); err != nil {
		return err
	}
	var limit *int64
	if body.FileSizeLimit != nil {
		if limit, err = decodeSize(body.FileSizeLimit); err != nil {
			return err
		}
	}
	var mimes []string
	if body.AllowedMimeTypes != nil {
		if mimes, err = decodeMimes(body.AllowedMimeTypes); err != nil {
			return err
		}
	}
	public := body.Public != nil && *body.Public
	ownerID, owner := claimSub(id)
	now := h.now()
	err = h.asRole(r.Context(), id, func(tx pgx.Tx) error {
		_, err := tx.Exec(r.Context(), `insert into storage.buckets
			(id, name, owner, owner_id, public, file_size_limit, allowed_mime_types, created_at, updated_at)
			values ($1, $2, $3::uuid, $4, $5, $6, $7, $8, $8)`,
			bid, *body.Name, owner, ownerID, public, limit, mimes, now)
		return err
	})
	if err != nil {
		if ae, ok := fromDB(err, errBucketExists()); ok {
			return ae
		}
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"name": bid})
	return nil
}

// GET /bucket
func (h *Handler) listBuckets(w http.ResponseWriter, r *http.Request) error {
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	order := "created_at"
	switch q.Get("sortColumn") {
	case "", "created_at":
	case "id", "name", "updated_at":
		order = q.Get("sortColumn")
	default:
		return errInvalidRequest("querystring/sortColumn must be equal to one of the allowed values")
	}
	dir := "asc"
	switch strings.ToLower(q.Get("sortOrder")) {
	case "", "asc":
	case "desc":
		dir = "desc"
	default:
		return errInvalidRequest("querystring/sortOrder must be equal to one of the allowed values")
	}
	sql := `select ` + bucketCols + ` from storage.buckets`
	var args []any
	if s := q.Get("search"); s != "" {
		args = append(args, "%"+likeEscape(s)+"%")
		sql += ` where name ilike $1`
	}
	sql += fmt.Sprintf(` order by %s %s, id`, order, dir)
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errInvalidRequest("querystring/limit must be >= 1")
		}
		sql += fmt.Sprintf(` limit %d`, n)
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errInvalidRequest("querystring/offset must be >= 0")
		}
		sql += fmt.Sprintf(` offset %d`, n)
	}
	out := []bucketListJSON{}
	err = h.asRole(r.Context(), id, func(tx pgx.Tx) error {
		rows, err := tx.Query(r.Context(), sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			b, err := scanBucket(rows)
			if err != nil {
				return err
			}
			out = append(out, bucketListJSON{ID: b.ID, Name: b.Name, Owner: deref(b.Owner), Public: b.Public,
				Type: b.Type, FileSizeLimit: b.FileSizeLimit, AllowedMimeTypes: b.AllowedMime,
				CreatedAt: jsTime(b.CreatedAt), UpdatedAt: jsTime(b.UpdatedAt)})
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// GET /bucket/{id}
func (h *Handler) getBucket(w http.ResponseWriter, r *http.Request, bid string) error {
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	var b *bucket
	err = h.asRole(r.Context(), id, func(tx pgx.Tx) error {
		var err error
		b, err = scanBucket(tx.QueryRow(r.Context(), `select `+bucketCols+` from storage.buckets where id = $1`, bid))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return errNoSuchBucket()
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bucketJSON{ID: b.ID, Name: b.Name, Owner: deref(b.Owner), Public: b.Public,
		FileSizeLimit: b.FileSizeLimit, AllowedMimeTypes: b.AllowedMime,
		CreatedAt: jsTime(b.CreatedAt), UpdatedAt: jsTime(b.UpdatedAt)})
	return nil
}

// PUT /bucket/{id}: only the fields present in the body change.
func (h *Handler) updateBucket(w http.ResponseWriter, r *http.Request, bid string) error {
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	var body bucketBody
	if err := readJSON(r, &body); err != nil {
		return err
	}
	sets := []string{"updated_at = $2"}
	args := []any{bid, h.now()}
	if body.Public != nil {
		args = append(args, *body.Public)
		sets = append(sets, fmt.Sprintf("public = $%d", len(args)))
	}
	if body.FileSizeLimit != nil {
		limit, err := decodeSize(body.FileSizeLimit)
		if err != nil {
			return err
		}
		args = append(args, limit)
		sets = append(sets, fmt.Sprintf("file_size_limit = $%d", len(args)))
	}
	if body.AllowedMimeTypes != nil {
		mimes, err := decodeMimes(body.AllowedMimeTypes)
		if err != nil {
			return err
		}
		args = append(args, mimes)
		sets = append(sets, fmt.Sprintf("allowed_mime_types = $%d", len(args)))
	}
	if err := h.requireBucket(r.Context(), bid); err != nil {
		return err
	}
	if err := h.changeBucket(r.Context(), id, nil, `update storage.buckets set `+strings.Join(sets, ", ")+` where id = $1`, args...); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Successfully updated"})
	return nil
}

// requireBucket answers errNoSuchBucket unless bucket bid exists.
func (h *Handler) requireBucket(ctx context.Context, bid string) error {
	b, err := h.findBucket(ctx, bid)
	if err != nil {
		return err
	}
	if b == nil {
		return errNoSuchBucket()
	}
	return nil
}

// changeBucket runs, as id, a statement on one storage.buckets row,
// answering errNoSuchBucket if it touched none. A foreign-key violation
// answers inUse when that is set.
func (h *Handler) changeBucket(ctx context.Context, id reqctx.Identity, inUse error, sql string, args ...any) error {
	var tag pgconn.CommandTag
	err := h.asRole(ctx, id, func(tx pgx.Tx) error {
		var err error
		tag, err = tx.Exec(ctx, sql, args...)
		return err
	})
	if err != nil {
		var pg *pgconn.PgError
		if inUse != nil && errors.As(err, &pg) && pg.Code == "23503" {
			return inUse
		}
		if ae, ok := fromDB(err, errBucketExists()); ok {
			return ae
		}
		return err
	}
	if tag.RowsAffected() == 0 {
		return errNoSuchBucket()
	}
	return nil
}

// DELETE /bucket/{id}
func (h *Handler) deleteBucket(w http.ResponseWriter, r *http.Request, bid string) error {
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	if err := h.requireBucket(r.Context(), bid); err != nil {
		return err
	}
	notEmpty := newErr(409, "ResourceNotEmpty", "ResourceNotEmpty", "The bucket you tried to delete is not empty")
	var count int64
	if err := h.asService(r.Context(), func(tx pgx.Tx) error {
		return tx.QueryRow(r.Context(), `select count(*) from storage.objects where bucket_id = $1`, bid).Scan(&count)
	}); err != nil {
		return err
	}
	if count > 0 {
		return notEmpty
	}
	if err := h.changeBucket(r.Context(), id, notEmpty, `delete from storage.buckets where id = $1`, bid); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Successfully deleted"})
	return nil
}

// POST /bucket/{id}/empty deletes every object the caller may delete, at
// once (Supabase queues the work; the emulator finishes it before
// answering).
func (h *Handler) emptyBucket(w http.ResponseWriter, r *http.Request, bid string) error {
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	if err := h.requireBucket(r.Context(), bid); err != nil {
		return err
	}
	if _, err := h.deleteObjectRows(r.Context(), id, `delete from storage.objects where bucket_id = $1 returning coalesce(version, '')`, bid); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Successfully emptied"})
	return nil
}
