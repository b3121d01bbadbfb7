//go:build goexperiment.jsonv2

package bench_test

import (
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"io"

	"github.com/supakit/supakit/bench"
)

// With GOEXPERIMENT=jsonv2, encoding/json itself runs on the v2 engine
// (renamed here so its figures are told apart) and json/v2 joins the
// codecs.
func init() {
	codecs[0].name = "encoding-json-on-v2"
	codecs = append(codecs, codec{"json-v2", func(b []byte, v any) error { return jsonv2.Unmarshal(b, v) }, v2Stream})
}

func v2Stream(r io.Reader, each func(*bench.Row) error) error {
	dec := jsontext.NewDecoder(r)
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != ']' {
		var row bench.Row
		if err := jsonv2.UnmarshalDecode(dec, &row); err != nil {
			return err
		}
		if err := each(&row); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}
