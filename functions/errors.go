package functions

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Sentinels.
var (
	// ErrInvalidOption: an option or argument was invalid.
	ErrInvalidOption = errors.New("functions: invalid option")
	// ErrInvalidName is matched by [*NameError].
	ErrInvalidName = errors.New("functions: invalid function name")
	// ErrDecode: a 2xx answer could not be decoded.
	ErrDecode = errors.New("functions: cannot decode response")
)

// MaxErrorBody is how much of a failed answer's body errors keep.
const MaxErrorBody = 64 << 10

// NameError says why a function name was refused before any request.
type NameError struct {
	Name   string
	Reason string
}

func (e *NameError) Error() string {
	n := e.Name
	if len(n) > 200 {
		n = n[:200] + "…"
	}
	return fmt.Sprintf("functions: invalid function name %q: %s", n, e.Reason)
}

// Is reports whether target is [ErrInvalidName].
func (e *NameError) Is(target error) bool { return target == ErrInvalidName }

// HTTPError is a function's non-2xx answer. Body holds at most
// [MaxErrorBody] bytes of it (Truncated says whether more was dropped).
type HTTPError struct {
	Function   string
	StatusCode int
	Header     http.Header
	Body       []byte
	Truncated  bool
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("functions: %s returned %d%s", e.Function, e.StatusCode, snippet(e.Body))
}

// RelayError is a failure of the relay between the gateway and the
// function (the answer carries x-relay-error: true): the function may not
// have run.
type RelayError struct {
	Function   string
	StatusCode int
	Header     http.Header
	Body       []byte
	Truncated  bool
}

func (e *RelayError) Error() string {
	return fmt.Sprintf("functions: relay error invoking %s (%d)%s", e.Function, e.StatusCode, snippet(e.Body))
}

// FetchError is a failure to reach the function at all (network,
// cancelled context…). It unwraps to the cause, so errors.Is(err,
// context.Canceled) works.
type FetchError struct {
	Function string
	Err      error
}

func (e *FetchError) Error() string {
	return fmt.Sprintf("functions: invoke %s: %v", e.Function, e.Err)
}

// Unwrap returns the cause.
func (e *FetchError) Unwrap() error { return e.Err }

func readBounded(r io.Reader) ([]byte, bool) {
	b, _ := io.ReadAll(io.LimitReader(r, MaxErrorBody+1))
	if len(b) > MaxErrorBody {
		return b[:MaxErrorBody], true
	}
	return b, false
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	if len(s) > 200 {
		s = s[:200]
		for !utf8.ValidString(s) && len(s) > 0 {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return ": " + s
}

var (
	_ error = (*HTTPError)(nil)
	_ error = (*RelayError)(nil)
	_ error = (*FetchError)(nil)
	_ error = (*NameError)(nil)
)
