package repo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Sentinel errors. An [*Error] from PostgREST matches the sentinel of its
// code with errors.Is; the client-side cases (no row for Get, First or
// MaybeSingle's several rows) return the sentinels wrapped.
var (
	// ErrNotFound: no row where one was required (PGRST116 with 0 rows,
	// Get or First with no match).
	ErrNotFound = errors.New("repo: no rows")
	// ErrMultipleRows: several rows where at most one was expected
	// (PGRST116 with more than one row, MaybeSingle).
	ErrMultipleRows = errors.New("repo: multiple rows")
	// ErrUniqueViolation: SQLSTATE 23505.
	ErrUniqueViolation = errors.New("repo: unique violation")
	// ErrForeignKeyViolation: SQLSTATE 23503.
	ErrForeignKeyViolation = errors.New("repo: foreign key violation")
	// ErrPermissionDenied: SQLSTATE 42501 (privileges or row level security).
	ErrPermissionDenied = errors.New("repo: permission denied")
	// ErrJWTExpired: PGRST301 or PGRST303 (the access token was refused).
	ErrJWTExpired = errors.New("repo: JWT expired or invalid")
	// ErrUnknownColumn: PGRST204 (a column the schema cache does not know).
	ErrUnknownColumn = errors.New("repo: unknown column")
	// ErrUnknownTable: PGRST205 (a table the schema cache does not know).
	ErrUnknownTable = errors.New("repo: unknown table")
	// ErrNoFilter: an update or delete without a filter, refused before
	// anything is sent. Opt in with [AllowUnfiltered].
	ErrNoFilter = errors.New("repo: update or delete without a filter (use repo.AllowUnfiltered to affect every row)")
	// ErrInvalid: a call whose arguments cannot make a correct request (an
	// empty table name, a negative limit, a bad column); the error says why.
	ErrInvalid = errors.New("repo: invalid request")
)

// Error is an error answered by PostgREST: the HTTP status and the JSON
// error object (code, message, details, hint). Its Error method shows the
// code, the status and the message; Details and Hint are kept for callers
// and may hold row values, so they are not printed.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Code is PostgREST's code: a PostgreSQL SQLSTATE such as 23505, or
	// PGRSTxxx. Empty when the body was not PostgREST's JSON.
	Code string
	// Message is the error message.
	Message string
	// Details carries details when PostgREST gave them.
	Details string
	// Hint carries the hint when PostgREST gave one.
	Hint string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("postgrest ")
	if e.Code != "" {
		b.WriteString(e.Code)
		b.WriteString(" ")
	}
	b.WriteString("(HTTP ")
	b.WriteString(strconv.Itoa(e.Status))
	b.WriteString(")")
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is reports whether target is the sentinel of e's code.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUniqueViolation:
		return e.Code == "23505"
	case ErrForeignKeyViolation:
		return e.Code == "23503"
	case ErrPermissionDenied:
		return e.Code == "42501"
	case ErrJWTExpired:
		return e.Code == "PGRST301" || e.Code == "PGRST303"
	case ErrUnknownColumn:
		return e.Code == "PGRST204"
	case ErrUnknownTable:
		return e.Code == "PGRST205"
	case ErrNotFound:
		return e.Code == "PGRST116" && e.rows() == 0
	case ErrMultipleRows:
		return e.Code == "PGRST116" && e.rows() > 1
	}
	return false
}

// rows reads the row count of a PGRST116 error from its details ("The
// result contains 0 rows", older "Results contain 2 rows"); -1 if absent.
func (e *Error) rows() int {
	for _, s := range []string{e.Details, e.Message} {
		f := strings.Fields(s)
		for i := 1; i < len(f); i++ {
			if strings.HasPrefix(f[i], "row") {
				if n, err := strconv.Atoi(f[i-1]); err == nil {
					return n
				}
			}
		}
	}
	return -1
}

// maxErrorBody bounds how much of an error body is read.
const maxErrorBody = 64 << 10

// errorFromResponse builds an *Error from a non-2xx response. It reads at
// most maxErrorBody bytes; the caller closes the body.
func errorFromResponse(resp *http.Response) *Error {
	e := &Error{Status: resp.StatusCode}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body struct {
		Code    json.RawMessage `json:"code"`
		Message string          `json:"message"`
		Details json.RawMessage `json:"details"`
		Hint    json.RawMessage `json:"hint"`
	}
	if len(b) > 0 && json.Unmarshal(b, &body) == nil && (body.Code != nil || body.Message != "") {
		e.Code = rawString(body.Code)
		e.Message = body.Message
		e.Details = rawString(body.Details)
		e.Hint = rawString(body.Hint)
		return e
	}
	// Not PostgREST's JSON (a gateway page, plain text): keep a short,
	// printable excerpt as the message.
	msg := strings.TrimSpace(string(b))
	if len(msg) > 200 {
		msg = msg[:200]
		for !utf8.ValidString(msg) && len(msg) > 0 {
			msg = msg[:len(msg)-1]
		}
		msg += "…"
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	e.Message = msg
	return e
}

// rawString turns a JSON string, number or null into a Go string; other
// JSON values are kept as their JSON text.
func rawString(r json.RawMessage) string {
	if len(r) == 0 || string(r) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(r, &s) == nil {
		return s
	}
	return string(r)
}

// ValidationError reports rows refused by their validate tags before a
// write. Fields names each failing field as Type.Field (tag); Err is the
// validator's error.
type ValidationError struct {
	// Row is the index of the first failing row in the call (0 for a single row).
	Row    int
	Fields []string
	Err    error
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("validation failed for row %d: %s", e.Row, strings.Join(e.Fields, ", "))
}

func (e *ValidationError) Unwrap() error { return e.Err }
