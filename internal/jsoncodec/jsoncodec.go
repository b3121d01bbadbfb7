package jsoncodec

import (
	"encoding/json"
	"io"

	gojson "github.com/goccy/go-json"
)

// Decoder reads JSON values from a stream, like encoding/json's Decoder.
type Decoder struct {
	d *gojson.Decoder
}

// NewDecoder returns a decoder reading from r. It buffers what it reads.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{d: gojson.NewDecoder(r)} }

// Token returns the next JSON token, as encoding/json's Decoder.Token does
// (delimiters are encoding/json's [json.Delim]); it returns io.EOF at the end.
func (d *Decoder) Token() (json.Token, error) { return d.d.Token() }

// More reports whether there is another element in the current array or
// object.
func (d *Decoder) More() bool { return d.d.More() }

// Decode reads the next JSON value into v.
func (d *Decoder) Decode(v any) error { return d.d.Decode(v) }

// Unmarshal decodes data into v.
func Unmarshal(data []byte, v any) error { return gojson.Unmarshal(data, v) }
