package storageapi

import (
	"encoding/json"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/supakit/supakit/emulator/internal/reqctx"
)

type signBody struct {
	ExpiresIn *float64        `json:"expiresIn"`
	Transform json.RawMessage `json:"transform"`
	Paths     *[]string       `json:"paths"`
}

func (b *signBody) expiry() (int64, error) {
	if b.ExpiresIn == nil {
		return 0, errInvalidRequest("body must have required property 'expiresIn'")
	}
	if *b.ExpiresIn < 1 || *b.ExpiresIn != float64(int64(*b.ExpiresIn)) {
		return 0, errInvalidRequest("body/expiresIn must be >= 1")
	}
	if len(b.Transform) > 0 && string(b.Transform) != "null" {
		return 0, errNotImplemented("image transformation (signed URL with transform)")
	}
	return int64(*b.ExpiresIn), nil
}

func (h *Handler) downloadToken(bucketID, key string, seconds int64) (string, error) {
	iat, exp := h.expiry(seconds)
	return h.signToken(downloadClaims{URL: bucketID + "/" + key, Scope: "download", IAT: iat, EXP: exp})
}

// POST /object/sign/{bucket}/{key}: the caller must be able to read the
// object (SELECT policy).
func (h *Handler) signURL(w http.ResponseWriter, r *http.Request, bucketID, key string) error {
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	var body signBody
	if err := readJSON(r, &body); err != nil {
		return err
	}
	secs, err := body.expiry()
	if err != nil {
		return err
	}
	o, err := h.lookupObject(r.Context(), id, bucketID, key)
	if err != nil {
		return err
	}
	if o == nil {
		return errNoSuchKey()
	}
	tok, err := h.downloadToken(bucketID, key, secs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"signedURL": "/object/sign/" + bucketID + "/" + key + "?token=" + tok})
	return nil
}

// POST /object/sign/{bucket} with {expiresIn, paths}: one entry per path,
// in order; paths the caller cannot read carry an error instead of a URL.
func (h *Handler) signURLs(w http.ResponseWriter, r *http.Request, bucketID string) error {
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	var body signBody
	if err := readJSON(r, &body); err != nil {
		return err
	}
	secs, err := body.expiry()
	if err != nil {
		return err
	}
	if body.Paths == nil {
		return errInvalidRequest("body must have required property 'paths'")
	}
	if len(*body.Paths) == 0 {
		return errInvalidRequest("body/paths must NOT have fewer than 1 items")
	}
	found := map[string]bool{}
	err = h.asRole(r.Context(), id, func(tx pgx.Tx) error {
		rows, err := tx.Query(r.Context(), `select name from storage.objects where bucket_id = $1 and name = any($2)`, bucketID, *body.Paths)
		if err != nil {
			return err
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		for _, n := range names {
			found[n] = true
		}
		return err
	})
	if err != nil {
		return err
	}
	type entry struct {
		Error     *string `json:"error"`
		Path      string  `json:"path"`
		SignedURL *string `json:"signedURL"`
	}
	out := make([]entry, 0, len(*body.Paths))
	for _, p := range *body.Paths {
		if !found[p] {
			msg := "Either the object does not exist or you do not have access to it"
			out = append(out, entry{Error: &msg, Path: p})
			continue
		}
		tok, err := h.downloadToken(bucketID, p, secs)
		if err != nil {
			return err
		}
		u := "/object/sign/" + bucketID + "/" + p + "?token=" + tok
		out = append(out, entry{Path: p, SignedURL: &u})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// GET /object/sign/{bucket}/{key}?token=…: no Authorization needed; the
// token must be ours, unexpired, for this very object, and a download
// token.
func (h *Handler) getSigned(w http.ResponseWriter, r *http.Request, bucketID, key string) error {
	tok := r.URL.Query().Get("token")
	if tok == "" {
		return errInvalidRequest("querystring must have required property 'token'")
	}
	var c struct {
		URL   string `json:"url"`
		Scope string `json:"scope"`
		EXP   int64  `json:"exp"`
	}
	if err := h.signedClaims(tok, &c); err != nil {
		return err
	}
	if c.URL != bucketID+"/"+key || (c.Scope != "" && c.Scope != "download") {
		return errInvalidSignature()
	}
	o, err := h.lookupObject(r.Context(), serviceIdentity, bucketID, key)
	if err != nil {
		return err
	}
	if o == nil {
		return errNoSuchKey()
	}
	return h.serve(w, r, o, serveOpts{noCacheControl: true, expires: c.EXP})
}

// POST /object/upload/sign/{bucket}/{key}: a token allowing one upload to
// this key without further authentication. The caller must be allowed to
// insert the object (checked by a rolled-back insert, as Storage does);
// without x-upsert an existing object is a conflict.
func (h *Handler) signUploadURL(w http.ResponseWriter, r *http.Request, bucketID, key string) error {
	ctx := r.Context()
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	if err := checkKey(key); err != nil {
		return err
	}
	upsert := r.Header.Get("x-upsert") == "true"
	b, err := h.findBucket(ctx, bucketID)
	if err != nil {
		return err
	}
	if b == nil {
		return errNoSuchBucket()
	}
	existing, err := h.lookupObject(ctx, serviceIdentity, bucketID, key)
	if err != nil {
		return err
	}
	if existing != nil && !upsert {
		return errKeyExists()
	}
	if err := h.testInsert(r, id, bucketID, key, upsert); err != nil {
		return err
	}
	ownerID, _ := claimSub(id)
	iat, exp := h.expiry(uploadURLExpiry)
	tok, err := h.signToken(uploadClaims{URL: bucketID + "/" + key, Upsert: upsert, Owner: deref(ownerID),
		Scope: "upload", IAT: iat, EXP: exp})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"url":   "/object/upload/sign/" + bucketID + "/" + key + "?token=" + tok,
		"token": tok,
	})
	return nil
}

// testInsert tries the insert (or upsert) as id and rolls it back.
func (h *Handler) testInsert(r *http.Request, id reqctx.Identity, bucketID, key string, upsert bool) error {
	ctx := r.Context()
	ownerID, owner := claimSub(id)
	sql := `insert into storage.objects (bucket_id, name, owner, owner_id, metadata, version)
		values ($1, $2, $3::uuid, $4, '{}', gen_random_uuid()::text)`
	if upsert {
		sql += ` on conflict (bucket_id, name) do update set owner = excluded.owner, owner_id = excluded.owner_id`
	}
	err := dbroleRollback(h, r, id, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, sql, bucketID, key, owner, ownerID)
		return err
	})
	if err != nil {
		if ae, ok := fromDB(err, errKeyExists()); ok {
			return ae
		}
		return err
	}
	return nil
}

// PUT /object/upload/sign/{bucket}/{key}?token=…: the upload the token
// allows, made with Storage's own rights; the owner is whoever signed.
func (h *Handler) uploadSigned(w http.ResponseWriter, r *http.Request, bucketID, key string) error {
	tok := r.URL.Query().Get("token")
	if tok == "" {
		return errInvalidRequest("querystring must have required property 'token'")
	}
	var c uploadClaims
	if err := h.signedClaims(tok, &c); err != nil {
		return err
	}
	if c.URL != bucketID+"/"+key || c.Scope != "upload" {
		return errInvalidSignature()
	}
	who := serviceIdentity
	if c.Owner != "" {
		claims, _ := json.Marshal(map[string]string{"role": "service_role", "sub": c.Owner})
		who = reqctx.Identity{Role: "service_role", Claims: claims}
	}
	if _, err := h.receiveObject(r, who, bucketID, key, c.Upsert); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"Key": bucketID + "/" + key})
	return nil
}
