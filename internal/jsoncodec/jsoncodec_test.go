package jsoncodec_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/internal/jsoncodec"
)

// upper has a custom UnmarshalJSON: the codec must call it.
type upper string

func (u *upper) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "bad" {
		return errors.New("upper: bad value")
	}
	*u = upper(strings.ToUpper(s))
	return nil
}

type row struct {
	ID      int64           `json:"id"`
	Name    upper           `json:"name"`
	Note    *string         `json:"note"`
	Raw     json.RawMessage `json:"raw"`
	At      time.Time       `json:"at"`
	Skipped string          `json:"-"`
	Score   float64
	Tags    []string `json:"tags"`
}

// TestSemanticsMatchEncodingJSON decodes each document with encoding/json
// and with the codec (Unmarshal and the streaming Decoder) and requires the
// same value and the same success or failure.
func TestSemanticsMatchEncodingJSON(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		wantErr bool // what encoding/json does, checked too
	}{
		{"custom UnmarshalJSON", `{"name":"abc"}`, false},
		{"custom UnmarshalJSON error", `{"name":"bad"}`, true},
		{"raw message verbatim", `{"raw": {"b": [1, 2.50, "x"],  "a":null}}`, false},
		{"raw message null", `{"raw":null}`, false},
		{"timestamptz", `{"at":"2024-05-01T10:20:30.123456+02:00"}`, false},
		{"timestamptz utc", `{"at":"2024-05-01T10:20:30Z"}`, false},
		{"timestamp without zone", `{"at":"2024-05-01T10:20:30"}`, true},
		{"date only", `{"at":"2024-05-01"}`, true},
		{"keys without case", `{"ID":7,"NAME":"x","score":1.5,"Tags":["a"]}`, false},
		{"duplicate keys, last wins", `{"id":1,"id":2}`, false},
		{"invalid utf-8 replaced", "{\"name\":\"a\xffb\"}", false},
		{"int overflow", `{"id":99999999999999999999}`, true},
		{"float into int", `{"id":1.5}`, true},
		{"null leaves value", `{"id":null,"note":null,"tags":null}`, false},
		{"unknown and dash fields ignored", `{"other":1,"-":"x","Skipped":"y"}`, false},
		{"escaped unicode", `{"name":"\u00e9\ud83d\ude00","note":"\n\t\""}`, false},
		{"wrong type", `{"tags":"x"}`, true},
		{"syntax error", `{"id":1,}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want row
			wantErr := json.Unmarshal([]byte(tt.doc), &want)
			if (wantErr != nil) != tt.wantErr {
				t.Fatalf("encoding/json err = %v, case says wantErr=%v", wantErr, tt.wantErr)
			}
			var got row
			err := jsoncodec.Unmarshal([]byte(tt.doc), &got)
			check(t, "Unmarshal", got, err, want, wantErr)

			var streamed row
			err = jsoncodec.NewDecoder(strings.NewReader(tt.doc)).Decode(&streamed)
			check(t, "Decoder", streamed, err, want, wantErr)
		})
	}
}

func check(t *testing.T, how string, got row, err error, want row, wantErr error) {
	t.Helper()
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%s err = %v, encoding/json err = %v", how, err, wantErr)
	}
	if wantErr != nil {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %+v, encoding/json = %+v", how, got, want)
	}
	if want.At.IsZero() {
		return
	}
	if !got.At.Equal(want.At) || got.At.Format(time.RFC3339Nano) != want.At.Format(time.RFC3339Nano) {
		t.Fatalf("%s time = %v, encoding/json = %v", how, got.At, want.At)
	}
}

// TestDecoderStreamsArray reads an array row by row with Token/More/Decode,
// as the repository does, and compares with encoding/json's Decoder.
func TestDecoderStreamsArray(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("[")
	for i := range 2000 {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"n%d","raw":{"i":%d},"at":"2024-01-02T03:04:05.%06dZ","tags":["a","b"]}`, i, i, i, i)
	}
	b.WriteString("]")
	doc := b.Bytes()

	var want []row
	if err := json.Unmarshal(doc, &want); err != nil {
		t.Fatal(err)
	}
	dec := jsoncodec.NewDecoder(bytes.NewReader(doc))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		t.Fatalf("first token = %v, %v; want [", tok, err)
	}
	var got []row
	for dec.More() {
		var r row
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim(']') {
		t.Fatalf("last token = %v, %v; want ]", tok, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the array: %v, want io.EOF", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("streamed rows differ from encoding/json's")
	}
}

func TestDecoderTokens(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{"null", `null`},
		{"object", `{"a":1}`},
		{"empty", ``},
		{"string", `"x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, wantErr := json.NewDecoder(strings.NewReader(tt.doc)).Token()
			got, err := jsoncodec.NewDecoder(strings.NewReader(tt.doc)).Token()
			if !reflect.DeepEqual(got, want) || (err == nil) != (wantErr == nil) || errors.Is(err, io.EOF) != errors.Is(wantErr, io.EOF) {
				t.Fatalf("Token = %#v, %v; encoding/json = %#v, %v", got, err, want, wantErr)
			}
		})
	}
}
