package repo

import (
	"errors"
	"io"
	"strings"

	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/transport"
)

// DecodeRows exposes decodeRows to the benchmarks.
func DecodeRows[T any](r io.Reader) ([]T, error) { return decodeRows[T](r) }

// DecodeRowsHint exposes decodeRowsHint to the benchmarks.
func DecodeRowsHint[T any](r io.Reader, n int) ([]T, error) { return decodeRowsHint[T](r, n) }

// DecodeStream exposes decodeStream to the benchmarks.
func DecodeStream[T any](r io.Reader, yield func(T) bool) (int, error) {
	n, _, err := decodeStream(r, yield)
	return n, err
}

type noConn struct{}

func (noConn) Rest() *transport.Transport { return nil }
func (noConn) Schema() string             { return "" }

// filterValue builds a select with f on column c and returns the value of
// that filter after prefix, as the request would carry it.
func filterValue(f func(*Builder) *Builder, prefix string) (string, error) {
	r, err := f(Table(noConn{}, "t").Select("*")).build()
	if err != nil {
		return "", err
	}
	ps, err := query.ParseQuery(r.rawQuery)
	if err != nil {
		return "", err
	}
	for _, p := range ps {
		if p.Key == "c" {
			if v, ok := strings.CutPrefix(p.Value, prefix); ok {
				return v, nil
			}
			return "", errors.New("filter value " + p.Value + " lacks " + prefix)
		}
	}
	return "", errors.New("no filter in " + r.rawQuery)
}

// FormatList and FormatArray give the in list and the array literal a
// Builder sends for v (package query's encoding), for the fuzz tests.
func FormatList(v any) (string, error) {
	return filterValue(func(b *Builder) *Builder { return b.In("c", v) }, "in.")
}

func FormatArray(v any) (string, error) {
	return filterValue(func(b *Builder) *Builder { return b.Contains("c", v) }, "cs.")
}
