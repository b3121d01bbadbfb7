package modelgen

import (
	"errors"
	"fmt"
)

var (
	// ErrUnreachable is matched when the database or the REST endpoint
	// cannot be reached (refused connection, unknown host, timeout).
	ErrUnreachable = errors.New("modelgen: source unreachable")
	// ErrAuth is matched when the credentials are refused (bad password,
	// role without login, invalid API key).
	ErrAuth = errors.New("modelgen: credentials refused")
	// ErrUnknownSchema is matched when a requested schema does not exist
	// (or is not exposed by PostgREST).
	ErrUnknownSchema = errors.New("modelgen: unknown schema")
	// ErrUnknownDatabase is matched when the database named in the URL
	// does not exist.
	ErrUnknownDatabase = errors.New("modelgen: unknown database")
	// ErrSource is matched by other failures to read a source (a bad
	// document, a failed catalog query).
	ErrSource = errors.New("modelgen: cannot read the source")
	// ErrConfig is matched by invalid generator options.
	ErrConfig = errors.New("modelgen: invalid configuration")
	// ErrDrift is matched by the error of [Check] when the models differ
	// from the schema.
	ErrDrift = errors.New("modelgen: models differ from the schema")
)

// DriftError lists the differences [Check] found.
type DriftError struct {
	Differences []string
}

func (e *DriftError) Error() string {
	s := fmt.Sprintf("modelgen: %d difference(s) between the models and the schema", len(e.Differences))
	for _, d := range e.Differences {
		s += "\n  " + d
	}
	return s
}

// Unwrap returns [ErrDrift].
func (e *DriftError) Unwrap() error { return ErrDrift }
