package storageapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/supakit/supakit/emulator/internal/reqctx"
)

// object is a row of storage.objects.
type object struct {
	ID             string
	BucketID       string
	Name           string
	Owner          *string
	OwnerID        *string
	Version        string
	Metadata       json.RawMessage
	UserMetadata   json.RawMessage
	CreatedAt      time.Time
	UpdatedAt      time.Time
	LastAccessedAt time.Time
	meta           objMeta
}

// objMeta is the metadata column, as Storage fills it.
type objMeta struct {
	ETag           string `json:"eTag"`
	Size           int64  `json:"size"`
	Mimetype       string `json:"mimetype"`
	CacheControl   string `json:"cacheControl"`
	LastModified   string `json:"lastModified"`
	ContentLength  int64  `json:"contentLength"`
	HTTPStatusCode int    `json:"httpStatusCode"`
}

const objectCols = `id::text, bucket_id, name, owner::text, owner_id, coalesce(version, ''), metadata, user_metadata,
	created_at, updated_at, last_accessed_at`

func scanObject(row pgx.Row) (*object, error) {
	var o object
	if err := row.Scan(&o.ID, &o.BucketID, &o.Name, &o.Owner, &o.OwnerID, &o.Version, &o.Metadata, &o.UserMetadata,
		&o.CreatedAt, &o.UpdatedAt, &o.LastAccessedAt); err != nil {
		return nil, err
	}
	if len(o.Metadata) > 0 {
		_ = json.Unmarshal(o.Metadata, &o.meta)
	}
	return &o, nil
}

// objectRowJSON is a full row as Storage returns it from copy and bulk
// delete.
type objectRowJSON struct {
	Name           string          `json:"name"`
	BucketID       string          `json:"bucket_id"`
	Owner          string          `json:"owner"`
	OwnerID        string          `json:"owner_id"`
	Version        string          `json:"version"`
	ID             string          `json:"id"`
	UpdatedAt      string          `json:"updated_at"`
	CreatedAt      string          `json:"created_at"`
	LastAccessedAt string          `json:"last_accessed_at"`
	Metadata       json.RawMessage `json:"metadata"`
	UserMetadata   json.RawMessage `json:"user_metadata"`
}

func rawOrNull(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	return b
}

func (o *object) rowJSON() objectRowJSON {
	return objectRowJSON{Name: o.Name, BucketID: o.BucketID, Owner: deref(o.Owner), OwnerID: deref(o.OwnerID),
		Version: o.Version, ID: o.ID, UpdatedAt: jsTime(o.UpdatedAt), CreatedAt: jsTime(o.CreatedAt),
		LastAccessedAt: jsTime(o.LastAccessedAt), Metadata: rawOrNull(o.Metadata), UserMetadata: rawOrNull(o.UserMetadata)}
}

// lookupObject reads one row as id (RLS applies); (nil, nil) when the row
// is missing or hidden.
func (h *Handler) lookupObject(ctx context.Context, id reqctx.Identity, bucketID, key string) (*object, error) {
	var o *object
	err := h.asRole(ctx, id, func(tx pgx.Tx) error {
		var err error
		o, err = scanObject(tx.QueryRow(ctx, `select `+objectCols+` from storage.objects where bucket_id = $1 and name = $2`, bucketID, key))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return o, err
}

// received is an upload's bytes (in a temporary file) and attributes.
type received struct {
	file         *tempFile
	mimetype     string
	cacheControl string
	userMeta     json.RawMessage
}

// receive streams the request body (raw, or the file part of a multipart
// form) into a temporary file, enforcing the size limit and the bucket's
// MIME types. The caller discards the file.
func (h *Handler) receive(r *http.Request, limit int64, allowed []string) (*received, error) {
	rc := &received{cacheControl: "no-cache", userMeta: json.RawMessage(`{}`)}
	ct := r.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	// A raw body over the limit is refused before reading it; a form's
	// length includes its envelope, so only its file part is counted.
	if mt != "multipart/form-data" && limit >= 0 && r.ContentLength > limit {
		return nil, errTooLarge()
	}
	if mt == "multipart/form-data" {
		if err := h.receiveMultipart(r, rc, limit, allowed); err != nil {
			if rc.file != nil {
				rc.file.discard()
			}
			return nil, err
		}
		return rc, nil
	}
	rc.mimetype = ct
	if rc.mimetype == "" {
		rc.mimetype = "application/octet-stream"
	}
	if v := r.Header.Get("Cache-Control"); v != "" {
		rc.cacheControl = v
	}
	if v := r.Header.Get("x-metadata"); v != "" {
		raw, err := base64.StdEncoding.DecodeString(v)
		if err != nil || !isJSONObject(raw) {
			return nil, errInvalidRequest("x-metadata must be base64-encoded JSON object")
		}
		rc.userMeta = raw
	}
	if !mimeAllowed(rc.mimetype, allowed) {
		return nil, errInvalidMime(rc.mimetype)
	}
	t, err := h.store.create()
	if err != nil {
		return nil, err
	}
	rc.file = t
	if err := t.fill(r.Body, limit); err != nil {
		t.discard()
		return nil, err
	}
	return rc, nil
}

func isJSONObject(b []byte) bool {
	var m map[string]any
	return json.Unmarshal(b, &m) == nil && m != nil
}

func (h *Handler) receiveMultipart(r *http.Request, rc *received, limit int64, allowed []string) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return errInvalidRequest("malformed multipart body")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return errInvalidRequest("malformed multipart body")
		}
		if part.FileName() == "" && part.FormName() != "" {
			v, err := io.ReadAll(io.LimitReader(part, 1<<20))
			if err != nil {
				return err
			}
			switch part.FormName() {
			case "cacheControl":
				rc.cacheControl = "max-age=" + strings.TrimSpace(string(v))
			case "metadata":
				if !isJSONObject(v) {
					return errInvalidRequest("metadata must be a JSON object")
				}
				rc.userMeta = v
			case "contentType":
				rc.mimetype = strings.TrimSpace(string(v))
			}
			continue
		}
		if rc.file != nil {
			continue // Storage keeps the first file
		}
		if rc.mimetype == "" {
			rc.mimetype = part.Header.Get("Content-Type")
		}
		if rc.mimetype == "" {
			rc.mimetype = "text/plain"
		}
		if !mimeAllowed(rc.mimetype, allowed) {
			return errInvalidMime(rc.mimetype)
		}
		t, err := h.store.create()
		if err != nil {
			return err
		}
		if err := t.fill(part, limit); err != nil {
			t.discard()
			return err
		}
		rc.file = t
	}
	if rc.file == nil {
		return errInvalidRequest("No file provided")
	}
	return nil
}

// upload handles POST/PUT /object/{bucket}/{key}.
func (h *Handler) upload(w http.ResponseWriter, r *http.Request, bucketID, key string, upsert bool) error {
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	res, err := h.receiveObject(r, id, bucketID, key, upsert)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Key string `json:"Key"`
		ID  string `json:"Id"`
	}{bucketID + "/" + key, res})
	return nil
}

// receiveObject receives one object and records it as id; it returns the
// object's id.
func (h *Handler) receiveObject(r *http.Request, id reqctx.Identity, bucketID, key string, upsert bool) (string, error) {
	ctx := r.Context()
	if err := checkKey(key); err != nil {
		return "", err
	}
	b, err := h.findBucket(ctx, bucketID)
	if err != nil {
		return "", err
	}
	if b == nil {
		return "", errNoSuchBucket()
	}
	rc, err := h.receive(r, h.effectiveLimit(b.FileSizeLimit), b.AllowedMime)
	if err != nil {
		return "", err
	}
	defer rc.file.discard()
	return h.record(ctx, id, bucketID, key, upsert, rc)
}

// record inserts (or upserts) the row for received bytes as id and moves
// the bytes into place as the row commits; it returns the object's id.
func (h *Handler) record(ctx context.Context, id reqctx.Identity, bucketID, key string, upsert bool, rc *received) (string, error) {
	// The row being replaced, if any (its bytes go once the new row
	// commits).
	old, err := h.lookupObject(ctx, serviceIdentity, bucketID, key)
	if err != nil {
		return "", err
	}
	now := h.now()
	version := uuid.NewString()
	objID := uuid.NewString()
	meta, _ := json.Marshal(objMeta{ETag: rc.file.etag(), Size: rc.file.size, Mimetype: rc.mimetype,
		CacheControl: rc.cacheControl, LastModified: jsTime(now), ContentLength: rc.file.size, HTTPStatusCode: 200})
	ownerID, owner := claimSub(id)
	sql := `insert into storage.objects
		(id, bucket_id, name, owner, owner_id, metadata, user_metadata, version, created_at, updated_at, last_accessed_at)
		values ($1, $2, $3, $4::uuid, $5, $6, $7, $8, $9, $9, $9)`
	if upsert {
		sql += ` on conflict (bucket_id, name) do update set owner = excluded.owner, owner_id = excluded.owner_id,
			metadata = excluded.metadata, user_metadata = excluded.user_metadata, version = excluded.version,
			updated_at = excluded.updated_at`
	}
	placed := false
	err = h.asRole(ctx, id, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sql, objID, bucketID, key, owner, ownerID, meta, rc.userMeta, version, now); err != nil {
			return err
		}
		if err := h.store.commit(rc.file, version); err != nil {
			return err
		}
		placed = true
		return nil
	})
	if err != nil {
		if placed {
			h.store.remove(version)
		}
		if ae, ok := fromDB(err, errKeyExists()); ok {
			return "", ae
		}
		return "", err
	}
	if old != nil && upsert {
		if old.Version != version {
			h.store.remove(old.Version)
		}
		objID = old.ID
	}
	return objID, nil
}

// serveOpts tune how object bytes are answered.
type serveOpts struct {
	noCacheControl bool
	expires        int64 // unix seconds; 0: no Expires header
}

// serve answers a download: headers as Storage sends them, then the bytes
// streamed from disk (Range, conditional requests and HEAD by
// http.ServeContent).
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, o *object, opts serveOpts) error {
	f, err := h.store.open(o.Version)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return errNoSuchKey()
		}
		return err
	}
	defer f.Close()
	hd := w.Header()
	if !opts.noCacheControl && o.meta.CacheControl != "" {
		hd.Set("Cache-Control", o.meta.CacheControl)
	}
	ct := o.meta.Mimetype
	if ct == "" {
		ct = "application/octet-stream"
	}
	hd.Set("Content-Type", ct)
	if o.meta.ETag != "" {
		hd.Set("ETag", o.meta.ETag)
	}
	hd.Set("X-Robots-Tag", "none")
	if opts.expires != 0 {
		hd.Set("Expires", httpDate(opts.expires))
	}
	q := r.URL.Query()
	if q.Has("download") {
		if name := q.Get("download"); name != "" {
			enc := url.PathEscape(name)
			hd.Set("Content-Disposition", "attachment; filename="+enc+"; filename*=UTF-8''"+enc)
		} else {
			hd.Set("Content-Disposition", "attachment;")
		}
	}
	mod := o.UpdatedAt
	if t, err := time.Parse(time.RFC3339Nano, o.meta.LastModified); err == nil {
		mod = t
	}
	http.ServeContent(w, r, "", mod, f)
	return nil
}

// readableObject finds the object a read names: through a public bucket
// (no token needed) or as the caller, so RLS applies.
func (h *Handler) readableObject(r *http.Request, bucketID, key string, public bool) (*object, error) {
	ctx := r.Context()
	who := serviceIdentity
	if public {
		b, err := h.findBucket(ctx, bucketID)
		if err != nil {
			return nil, err
		}
		if b == nil || !b.Public {
			return nil, errNoSuchBucket()
		}
	} else {
		id, err := h.identity(r)
		if err != nil {
			return nil, err
		}
		who = id
	}
	o, err := h.lookupObject(ctx, who, bucketID, key)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, errNoSuchKey()
	}
	return o, nil
}

// download handles GET/HEAD /object/{bucket}/{key},
// /object/authenticated/… (as the caller, RLS applies) and
// /object/public/… (public buckets, no token needed).
func (h *Handler) download(w http.ResponseWriter, r *http.Request, bucketID, key string, public bool) error {
	o, err := h.readableObject(r, bucketID, key, public)
	if err != nil {
		return err
	}
	return h.serve(w, r, o, serveOpts{})
}

// GET /object/info/{bucket}/{key} (and /info/authenticated/…,
// /info/public/…)
func (h *Handler) objectInfo(w http.ResponseWriter, r *http.Request, bucketID, key string, public bool) error {
	o, err := h.readableObject(r, bucketID, key, public)
	if err != nil {
		return err
	}
	hd := w.Header()
	if o.meta.CacheControl != "" {
		hd.Set("Cache-Control", o.meta.CacheControl)
	}
	if o.meta.ETag != "" {
		hd.Set("ETag", o.meta.ETag)
	}
	hd.Set("Last-Modified", o.UpdatedAt.UTC().Format(http.TimeFormat))
	um := o.UserMetadata
	if len(um) == 0 || string(um) == "null" {
		um = json.RawMessage(`{}`)
	}
	writeJSON(w, http.StatusOK, struct {
		ID           string          `json:"id"`
		Name         string          `json:"name"`
		Version      string          `json:"version"`
		BucketID     string          `json:"bucket_id"`
		Size         int64           `json:"size"`
		ContentType  string          `json:"content_type"`
		CacheControl string          `json:"cache_control"`
		ETag         string          `json:"etag"`
		Metadata     json.RawMessage `json:"metadata"`
		LastModified string          `json:"last_modified"`
		CreatedAt    string          `json:"created_at"`
	}{o.ID, o.Name, o.Version, o.BucketID, o.meta.Size, o.meta.Mimetype, o.meta.CacheControl, o.meta.ETag,
		um, jsTime(o.UpdatedAt), jsTime(o.CreatedAt)})
	return nil
}

// deleteObjectRows runs, as id, a delete on storage.objects that returns
// the versions it removed, and drops their stored bodies.
func (h *Handler) deleteObjectRows(ctx context.Context, id reqctx.Identity, sql string, args ...any) ([]string, error) {
	var versions []string
	err := h.asRole(ctx, id, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		versions, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		if ae, ok := fromDB(err, errKeyExists()); ok {
			return nil, ae
		}
		return nil, err
	}
	for _, v := range versions {
		h.store.remove(v)
	}
	return versions, nil
}

// DELETE /object/{bucket}/{key}
func (h *Handler) deleteObject(w http.ResponseWriter, r *http.Request, bucketID, key string) error {
	ctx := r.Context()
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	existing, err := h.lookupObject(ctx, serviceIdentity, bucketID, key)
	if err != nil {
		return err
	}
	if existing == nil {
		return errNoSuchKey()
	}
	versions, err := h.deleteObjectRows(ctx, id, `delete from storage.objects where bucket_id = $1 and name = $2 returning coalesce(version, '')`, bucketID, key)
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		return errAccessDenied("Access denied")
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Successfully deleted"})
	return nil
}

// DELETE /object/{bucket} with {"prefixes": [names]}: answers the rows
// deleted (names the caller may not delete, or that do not exist, are
// left out).
func (h *Handler) deleteObjects(w http.ResponseWriter, r *http.Request, bucketID string) error {
	ctx := r.Context()
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	var body struct {
		Prefixes *[]string `json:"prefixes"`
	}
	if err := readJSON(r, &body); err != nil {
		return err
	}
	if body.Prefixes == nil {
		return errInvalidRequest("body must have required property 'prefixes'")
	}
	if len(*body.Prefixes) == 0 {
		return errInvalidRequest("body/prefixes must NOT have fewer than 1 items")
	}
	if len(*body.Prefixes) > 1000 {
		return errInvalidRequest("body/prefixes must NOT have more than 1000 items")
	}
	var deleted []*object
	err = h.asRole(ctx, id, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `delete from storage.objects where bucket_id = $1 and name = any($2) returning `+objectCols, bucketID, *body.Prefixes)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanObject(rows)
			if err != nil {
				return err
			}
			deleted = append(deleted, o)
		}
		return rows.Err()
	})
	if err != nil {
		if ae, ok := fromDB(err, errKeyExists()); ok {
			return ae
		}
		return err
	}
	out := make([]objectRowJSON, 0, len(deleted))
	for _, o := range deleted {
		h.store.remove(o.Version)
		out = append(out, o.rowJSON())
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type moveBody struct {
	BucketID          string `json:"bucketId"`
	SourceKey         string `json:"sourceKey"`
	DestinationKey    string `json:"destinationKey"`
	DestinationBucket string `json:"destinationBucket"`
}

func (b *moveBody) check() error {
	switch {
	case b.BucketID == "":
		return errInvalidRequest("body must have required property 'bucketId'")
	case b.SourceKey == "":
		return errInvalidRequest("body must have required property 'sourceKey'")
	case b.DestinationKey == "":
		return errInvalidRequest("body must have required property 'destinationKey'")
	}
	if b.DestinationBucket == "" {
		b.DestinationBucket = b.BucketID
	}
	return checkKey(b.DestinationKey)
}

// POST /object/move: renames the row (UPDATE, so the caller needs UPDATE
// and SELECT policies); the bytes stay where they are.
func (h *Handler) moveObject(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	var body moveBody
	if err := readJSON(r, &body); err != nil {
		return err
	}
	if err := body.check(); err != nil {
		return err
	}
	if body.DestinationBucket != body.BucketID {
		b, err := h.findBucket(ctx, body.DestinationBucket)
		if err != nil {
			return err
		}
		if b == nil {
			return errNoSuchBucket()
		}
	}
	var n int64
	err = h.asRole(ctx, id, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `update storage.objects set bucket_id = $3, name = $4, updated_at = $5
			where bucket_id = $1 and name = $2`, body.BucketID, body.SourceKey, body.DestinationBucket, body.DestinationKey, h.now())
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		if ae, ok := fromDB(err, errKeyExists()); ok {
			return ae
		}
		return err
	}
	if n == 0 {
		return errNoSuchKey()
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Successfully moved"})
	return nil
}

// POST /object/copy: a new row (new id and version) sharing the source's
// bytes; x-upsert: true replaces an existing destination.
func (h *Handler) copyObject(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	var body moveBody
	if err := readJSON(r, &body); err != nil {
		return err
	}
	if err := body.check(); err != nil {
		return err
	}
	upsert := r.Header.Get("x-upsert") == "true"
	if body.DestinationBucket != body.BucketID {
		b, err := h.findBucket(ctx, body.DestinationBucket)
		if err != nil {
			return err
		}
		if b == nil {
			return errNoSuchBucket()
		}
	}
	var old *object
	if upsert {
		if old, err = h.lookupObject(ctx, serviceIdentity, body.DestinationBucket, body.DestinationKey); err != nil {
			return err
		}
	}
	now := h.now()
	version := uuid.NewString()
	ownerID, owner := claimSub(id)
	var created *object
	placed := false
	err = h.asRole(ctx, id, func(tx pgx.Tx) error {
		src, err := scanObject(tx.QueryRow(ctx, `select `+objectCols+` from storage.objects where bucket_id = $1 and name = $2`, body.BucketID, body.SourceKey))
		if err != nil {
			return err
		}
		m := src.meta
		m.LastModified = jsTime(now)
		meta, _ := json.Marshal(m)
		sql := `insert into storage.objects
			(id, bucket_id, name, owner, owner_id, metadata, user_metadata, version, created_at, updated_at, last_accessed_at)
			values ($1, $2, $3, $4::uuid, $5, $6, $7, $8, $9, $9, $9)`
		if upsert {
			sql += ` on conflict (bucket_id, name) do update set owner = excluded.owner, owner_id = excluded.owner_id,
				metadata = excluded.metadata, user_metadata = excluded.user_metadata, version = excluded.version,
				updated_at = excluded.updated_at`
		}
		newID := uuid.NewString()
		if old != nil {
			newID = old.ID
		}
		if _, err := tx.Exec(ctx, sql, newID, body.DestinationBucket, body.DestinationKey, owner, ownerID, meta, src.UserMetadata, version, now); err != nil {
			return err
		}
		if err := h.store.link(src.Version, version); err != nil {
			return err
		}
		placed = true
		created = &object{ID: newID, BucketID: body.DestinationBucket, Name: body.DestinationKey, Owner: owner, OwnerID: ownerID,
			Version: version, Metadata: meta, UserMetadata: src.UserMetadata, CreatedAt: now, UpdatedAt: now, LastAccessedAt: now}
		if old != nil {
			created.CreatedAt = old.CreatedAt
		}
		return nil
	})
	if err != nil {
		if placed {
			h.store.remove(version)
		}
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoSuchKey()
		}
		if ae, ok := fromDB(err, errKeyExists()); ok {
			return ae
		}
		return err
	}
	if old != nil {
		h.store.remove(old.Version)
	}
	row := created.rowJSON()
	writeJSON(w, http.StatusOK, struct {
		Key string `json:"Key"`
		ID  string `json:"Id"`
		objectRowJSON
	}{body.DestinationBucket + "/" + body.DestinationKey, created.ID, row})
	return nil
}
