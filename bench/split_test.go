package bench_test

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/supakit/supakit/bench"
)

func TestSplitArray(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr bool
	}{
		{"empty body", "", nil, false},
		{"empty array", " [ ] ", nil, false},
		{"rows", `[{"a":1},{"b":"}\"{"}, {"c":[{"d":[]}]}]`, []string{`{"a":1}`, `{"b":"}\"{"}`, `{"c":[{"d":[]}]}`}, false},
		{"not an array", `{"a":1}`, nil, true},
		{"scalar row", `[1]`, nil, true},
		{"truncated", `[{"a":1},{"b"`, []string{`{"a":1}`}, true},
		{"missing comma", `[{"a":1}{"b":2}]`, []string{`{"a":1}`}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := bench.SplitArray(strings.NewReader(tt.in), func(b []byte) error {
				got = append(got, string(b))
				return nil
			})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// a large document read through a small-chunk reader
	doc := bench.RowsJSON(0, 300)
	var want []bench.Row
	if err := json.Unmarshal(doc, &want); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := bench.SplitArray(io.LimitReader(&chunky{doc}, int64(len(doc))), func(b []byte) error {
		var r bench.Row
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		if r.ID != want[n].ID || r.Name != want[n].Name {
			return errors.New("row mismatch")
		}
		n++
		return nil
	})
	if err != nil || n != len(want) {
		t.Fatalf("chunked: %d rows, err %v", n, err)
	}
}

// chunky returns at most 7 bytes per Read.
type chunky struct{ b []byte }

func (c *chunky) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 7)], c.b)
	c.b = c.b[n:]
	return n, nil
}
