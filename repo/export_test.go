package repo

import "io"

// DecodeRows exposes decodeRows to the benchmarks.
func DecodeRows[T any](r io.Reader) ([]T, error) { return decodeRows[T](r) }

// DecodeRowsHint exposes decodeRowsHint to the benchmarks.
func DecodeRowsHint[T any](r io.Reader, n int) ([]T, error) { return decodeRowsHint[T](r, n) }

// DecodeStream exposes decodeStream to the benchmarks.
func DecodeStream[T any](r io.Reader, yield func(T) bool) (int, error) {
	n, _, err := decodeStream(r, yield)
	return n, err
}

// FormatList and FormatArray expose the value encoders to the fuzz tests.
func FormatList(v any) (string, error)  { return formatList(v) }
func FormatArray(v any) (string, error) { return formatArray(v) }
