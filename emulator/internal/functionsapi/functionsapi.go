package functionsapi

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
)

// Handler routes function invocations to registered handlers. The zero
// value serves no functions and is ready to use.
type Handler struct {
	mu  sync.RWMutex
	fns map[string]http.Handler
}

var _ http.Handler = (*Handler)(nil)

// Errors returned by Register.
var (
	ErrInvalidName = errors.New("functionsapi: invalid function name")
	ErrDuplicate   = errors.New("functionsapi: function already registered")
	ErrNilHandler  = errors.New("functionsapi: nil handler")
)

// Function names as Supabase accepts them: a letter, then letters, digits,
// '-' or '_'.
var nameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// New returns a Handler with no functions.
func New() *Handler { return &Handler{fns: map[string]http.Handler{}} }

// Register serves fn under name. It fails on an invalid name, a nil
// handler, or a name already registered.
func (h *Handler) Register(name string, fn http.Handler) error {
	if !nameRE.MatchString(name) || len(name) > 128 {
		return fmt.Errorf("%w: %q", ErrInvalidName, name)
	}
	if fn == nil {
		return fmt.Errorf("%w: %q", ErrNilHandler, name)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.fns[name]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicate, name)
	}
	if h.fns == nil {
		h.fns = map[string]http.Handler{}
	}
	h.fns[name] = fn
	return nil
}

// Unregister removes name; unknown names are ignored.
func (h *Handler) Unregister(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.fns, name)
}

const (
	notFoundBody = `{"code":"NOT_FOUND","message":"Requested function was not found"}`
	crashBody    = `{"code":"WORKER_ERROR","message":"Function exited due to an error (please check logs)"}`
)

// ServeHTTP dispatches on the first path segment.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	h.mu.RLock()
	fn := h.fns[name]
	h.mu.RUnlock()
	if fn == nil {
		writeJSON(w, http.StatusNotFound, notFoundBody)
		return
	}
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			if !sw.wrote {
				writeJSON(w, http.StatusInternalServerError, crashBody)
				return
			}
			// The response has begun: abort the connection rather than
			// let a truncated body pass for a complete one.
			panic(http.ErrAbortHandler)
		}
	}()
	fn.ServeHTTP(sw, r)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// statusWriter records whether the function started its response.
type statusWriter struct {
	http.ResponseWriter
	wrote bool
}

func (s *statusWriter) WriteHeader(code int) {
	s.wrote = true
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Flush lets streaming functions flush through the wrapper.
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		s.wrote = true
		f.Flush()
	}
}

// Unwrap exposes the underlying writer to http.ResponseController.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
