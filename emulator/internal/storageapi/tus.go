package storageapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/supakit/supakit/emulator/internal/reqctx"
)

// Resumable uploads speak the TUS 1.0.0 protocol under /upload/resumable,
// as Supabase Storage does: POST creates an upload (Upload-Length and
// Upload-Metadata with bucketName, objectName, contentType, cacheControl,
// metadata; x-upsert), PATCH appends at Upload-Offset, HEAD reports the
// offset, DELETE abandons it. Bytes go to a temporary file as they arrive;
// the object row is written (as the caller of the final PATCH, so RLS
// applies) when the last byte lands. Upload state lives in memory: an
// emulator restart forgets unfinished uploads, and uploads idle for a day
// are discarded.
const tusVersion = "1.0.0"

type tusUpload struct {
	mu     sync.Mutex   // held by the PATCH writing
	offset atomic.Int64 // bytes written, readable while a PATCH runs
	bucket string
	key    string
	length int64
	upsert bool
	rc     *received
	seen   atomic.Int64 // unix seconds of the last request
}

// tusIdle is how long an unfinished upload is kept without requests.
const tusIdle = 24 * time.Hour

type tusState struct {
	mu      sync.Mutex
	uploads map[string]*tusUpload
}

func (s *tusState) get(id string, now time.Time) *tusUpload {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.uploads[id]
	if u != nil {
		u.seen.Store(now.Unix())
	}
	return u
}

// sweep discards uploads idle for longer than tusIdle.
func (s *tusState) sweep(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, u := range s.uploads {
		if now.Unix()-u.seen.Load() > int64(tusIdle/time.Second) && u.mu.TryLock() {
			u.rc.file.discard()
			u.mu.Unlock()
			delete(s.uploads, id)
		}
	}
}

func (s *tusState) put(id string, u *tusUpload) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.uploads == nil {
		s.uploads = map[string]*tusUpload{}
	}
	s.uploads[id] = u
}

func (s *tusState) drop(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.uploads, id)
}

// closeAll discards every unfinished upload.
func (s *tusState) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, u := range s.uploads {
		u.mu.Lock()
		u.rc.file.discard()
		u.mu.Unlock()
		delete(s.uploads, id)
	}
}

// tusError answers a protocol-level failure with its HTTP status and a
// plain-text reason, as TUS servers do.
type tusError struct {
	status int
	msg    string
}

func (e *tusError) Error() string { return e.msg }

func (h *Handler) routeTUS(w http.ResponseWriter, r *http.Request, rest string) error {
	w.Header().Set("Tus-Resumable", tusVersion)
	if r.Method == http.MethodOptions {
		w.Header().Set("Tus-Version", tusVersion)
		w.Header().Set("Tus-Extension", "creation,creation-with-upload,termination")
		if h.cfg.MaxFileSize >= 0 {
			w.Header().Set("Tus-Max-Size", strconv.FormatInt(h.cfg.MaxFileSize, 10))
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if r.Header.Get("Tus-Resumable") != tusVersion {
		return &tusError{http.StatusPreconditionFailed, "Unsupported version"}
	}
	id, tail, _ := strings.Cut(rest, "/")
	switch {
	case id == "" && r.Method == http.MethodPost:
		return h.tusCreate(w, r)
	case id == "sign":
		return errNotImplemented("signed resumable upload (/upload/resumable/sign)")
	case id != "" && tail == "":
		switch r.Method {
		case http.MethodHead:
			return h.tusHead(w, r, id)
		case http.MethodPatch:
			return h.tusPatch(w, r, id)
		case http.MethodDelete:
			return h.tusDelete(w, r, id)
		}
	}
	return errNotFoundRoute(r.Method, r.URL.Path)
}

// parseTUSMetadata reads "key base64,key base64,…".
func parseTUSMetadata(v string) (map[string]string, error) {
	out := map[string]string{}
	if strings.TrimSpace(v) == "" {
		return out, nil
	}
	for _, pair := range strings.Split(v, ",") {
		k, b64, _ := strings.Cut(strings.TrimSpace(pair), " ")
		val, err := base64.StdEncoding.DecodeString(b64)
		if k == "" || err != nil {
			return nil, &tusError{http.StatusBadRequest, "Upload-Metadata is invalid"}
		}
		out[k] = string(val)
	}
	return out, nil
}

var digitsRE = regexp.MustCompile(`^[0-9]+$`)

// POST /upload/resumable
func (h *Handler) tusCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	if r.Header.Get("Upload-Defer-Length") != "" {
		return errNotImplemented("deferred upload length (Upload-Defer-Length)")
	}
	length, err := strconv.ParseInt(r.Header.Get("Upload-Length"), 10, 64)
	if err != nil || length < 0 {
		return &tusError{http.StatusBadRequest, "Upload-Length is invalid"}
	}
	meta, err := parseTUSMetadata(r.Header.Get("Upload-Metadata"))
	if err != nil {
		return err
	}
	bucketID, key := meta["bucketName"], meta["objectName"]
	if bucketID == "" || key == "" {
		return errInvalidRequest("Upload-Metadata must contain bucketName and objectName")
	}
	if err := checkKey(key); err != nil {
		return err
	}
	b, err := h.findBucket(ctx, bucketID)
	if err != nil {
		return err
	}
	if b == nil {
		return errNoSuchBucket()
	}
	if limit := h.effectiveLimit(b.FileSizeLimit); limit >= 0 && length > limit {
		return errTooLarge()
	}
	rc := &received{mimetype: meta["contentType"], cacheControl: "no-cache", userMeta: json.RawMessage(`{}`)}
	if rc.mimetype == "" {
		rc.mimetype = "application/octet-stream"
	}
	if !mimeAllowed(rc.mimetype, b.AllowedMime) {
		return errInvalidMime(rc.mimetype)
	}
	if cc := meta["cacheControl"]; digitsRE.MatchString(cc) {
		rc.cacheControl = "max-age=" + cc
	} else if cc != "" {
		rc.cacheControl = cc
	}
	if m, ok := meta["metadata"]; ok {
		if !isJSONObject([]byte(m)) {
			return errInvalidRequest("metadata must be a JSON object")
		}
		rc.userMeta = json.RawMessage(m)
	}
	upsert := r.Header.Get("x-upsert") == "true"
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
	if rc.file, err = h.store.create(); err != nil {
		return err
	}
	h.tus.sweep(h.now())
	u := &tusUpload{bucket: bucketID, key: key, length: length, upsert: upsert, rc: rc}
	u.seen.Store(h.now().Unix())
	rc.file.onWrite = func(n int) { u.offset.Add(int64(n)) }
	uploadID := base64.RawURLEncoding.EncodeToString([]byte(bucketID + "/" + key + "/" + uuid.NewString()))
	h.tus.put(uploadID, u)
	w.Header().Set("Location", externalBase(r)+"/upload/resumable/"+uploadID)

	if r.Header.Get("Content-Type") == "application/offset+octet-stream" {
		// creation-with-upload
		u.mu.Lock()
		defer u.mu.Unlock()
		done, err := h.tusAppend(r, id, uploadID, u)
		if err != nil {
			return err
		}
		w.Header().Set("Upload-Offset", strconv.FormatInt(u.rc.file.size, 10))
		if done {
			w.Header().Set("Tus-Complete", "1")
		}
	} else if length == 0 {
		u.mu.Lock()
		defer u.mu.Unlock()
		if _, err := h.tusFinish(r, id, uploadID, u); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(http.StatusCreated)
	return nil
}

// externalBase is the URL the client reached the storage root at: the
// gateway's forwarded host, scheme and prefix when present.
func externalBase(r *http.Request) string {
	proto := r.Header.Get("X-Forwarded-Proto")
	if proto == "" {
		proto = "http"
		if r.TLS != nil {
			proto = "https"
		}
	}
	host := r.Header.Get("X-Forwarded-Host")
	if host == "" {
		host = r.Host
	}
	return proto + "://" + host + r.Header.Get("X-Forwarded-Prefix")
}

func (h *Handler) tusLookup(id string) (*tusUpload, error) {
	u := h.tus.get(id, h.now())
	if u == nil {
		return nil, &tusError{http.StatusNotFound, "Upload not found"}
	}
	return u, nil
}

// HEAD /upload/resumable/{id}
func (h *Handler) tusHead(w http.ResponseWriter, r *http.Request, uploadID string) error {
	if _, err := h.identity(r); err != nil {
		return err
	}
	u, err := h.tusLookup(uploadID)
	if err != nil {
		return err
	}
	w.Header().Set("Upload-Offset", strconv.FormatInt(u.offset.Load(), 10))
	w.Header().Set("Upload-Length", strconv.FormatInt(u.length, 10))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	return nil
}

// PATCH /upload/resumable/{id}
func (h *Handler) tusPatch(w http.ResponseWriter, r *http.Request, uploadID string) error {
	id, err := h.identity(r)
	if err != nil {
		return err
	}
	if r.Header.Get("Content-Type") != "application/offset+octet-stream" {
		return &tusError{http.StatusUnsupportedMediaType, "Content-Type must be application/offset+octet-stream"}
	}
	u, err := h.tusLookup(uploadID)
	if err != nil {
		return err
	}
	if !u.mu.TryLock() {
		return &tusError{http.StatusLocked, "Upload is in use"}
	}
	defer u.mu.Unlock()
	if u.rc.file.f == nil { // finished or abandoned meanwhile
		return &tusError{http.StatusNotFound, "Upload not found"}
	}
	offset, err := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
	if err != nil || offset != u.rc.file.size {
		return &tusError{http.StatusConflict, "Upload-Offset conflict"}
	}
	done, err := h.tusAppend(r, id, uploadID, u)
	if err != nil {
		return err
	}
	w.Header().Set("Upload-Offset", strconv.FormatInt(u.rc.file.size, 10))
	if done {
		w.Header().Set("Tus-Complete", "1")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// tusAppend adds the request body to the upload (u locked) and finishes it
// when complete. Bytes received before a broken connection are kept, so
// the client can resume from the offset HEAD reports.
func (h *Handler) tusAppend(r *http.Request, id reqctx.Identity, uploadID string, u *tusUpload) (bool, error) {
	remaining := u.length - u.rc.file.size
	if err := u.rc.file.fill(r.Body, remaining); err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			// Past Upload-Length: the upload cannot be completed.
			h.tus.drop(uploadID)
			u.rc.file.discard()
		}
		return false, err
	}
	if u.rc.file.size < u.length {
		return false, nil
	}
	return h.tusFinish(r, id, uploadID, u)
}

func (h *Handler) tusFinish(r *http.Request, id reqctx.Identity, uploadID string, u *tusUpload) (bool, error) {
	h.tus.drop(uploadID)
	defer u.rc.file.discard()
	if _, err := h.record(r.Context(), id, u.bucket, u.key, u.upsert, u.rc); err != nil {
		return false, err
	}
	return true, nil
}

// DELETE /upload/resumable/{id}
func (h *Handler) tusDelete(w http.ResponseWriter, r *http.Request, uploadID string) error {
	if _, err := h.identity(r); err != nil {
		return err
	}
	u, err := h.tusLookup(uploadID)
	if err != nil {
		return err
	}
	h.tus.drop(uploadID)
	u.mu.Lock()
	u.rc.file.discard()
	u.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
	return nil
}
