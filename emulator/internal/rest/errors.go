package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Error is an API error in PostgREST's JSON shape.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details"`
	Hint    any    `json:"hint"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("rest: %s (%d): %s", e.Code, e.Status, e.Message)
}

// ErrUnsupported is matched (errors.Is) by every 501 answer.
var ErrUnsupported = errors.New("rest: not supported")

// Is lets errors.Is(err, ErrUnsupported) match a 501 error.
func (e *Error) Is(target error) bool {
	return target == ErrUnsupported && e.Status == http.StatusNotImplemented
}

func apiErr(status int, code, msg string, details, hint any) *Error {
	return &Error{Status: status, Code: code, Message: msg, Details: details, Hint: hint}
}

func errParse(msg string, details any) *Error {
	return apiErr(400, "PGRST100", msg, details, nil)
}

func errUnsupported(feature string) *Error {
	return apiErr(501, "PGRST501", "Not supported by this server: "+feature, nil, nil)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// fromPg maps a PostgreSQL error to PostgREST's status and shape.
func fromPg(pe *pgconn.PgError, anon bool) *Error {
	e := &Error{Code: pe.Code, Message: pe.Message, Details: nilIfEmpty(pe.Detail), Hint: nilIfEmpty(pe.Hint)}
	e.Status = pgStatus(pe.Code, anon)
	if pe.Code == "P0001" || strings.HasPrefix(pe.Code, "PT") {
		// RAISE with a custom SQLSTATE "PTxyz" sets the status xyz.
		if strings.HasPrefix(pe.Code, "PT") {
			if n, err := strconv.Atoi(pe.Code[2:]); err == nil && n >= 100 && n < 600 {
				e.Status = n
			}
		}
	}
	return e
}

func pgStatus(code string, anon bool) int {
	switch code {
	case "23503", "23505":
		return 409
	case "25006":
		return 405
	case "42883", "42P01":
		return 404
	case "42P17":
		return 500
	case "42501":
		if anon {
			return 401
		}
		return 403
	case "P0001":
		return 400
	case "57014", "53400":
		return 500
	}
	if len(code) < 2 {
		return 500
	}
	switch code[:2] {
	case "08", "53":
		return 503
	case "09", "25", "2D", "38", "39", "3B", "40", "54", "55", "57", "58", "F0", "HV", "P0", "XX":
		return 500
	case "0L", "0P", "28":
		return 403
	case "22", "23", "42":
		return 400
	}
	return 400
}

func writeError(w http.ResponseWriter, e *Error) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(e.Status)
	b, _ := json.Marshal(e)
	_, _ = w.Write(b)
}
