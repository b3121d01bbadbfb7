package bench_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/bytedance/sonic"
	gojson "github.com/goccy/go-json"

	"github.com/supakit/supakit/bench"
)

// codec is one JSON decoder under comparison: whole-array Unmarshal and,
// where it has one, row-by-row streaming from a reader.
type codec struct {
	name      string
	unmarshal func([]byte, any) error
	stream    func(io.Reader, func(*bench.Row) error) error // nil when none
}

// stdStream decodes a JSON array row by row with encoding/json's Decoder,
// as supakit's iterator does.
func stdStream(r io.Reader, each func(*bench.Row) error) error {
	dec := json.NewDecoder(r)
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		var row bench.Row
		if err := dec.Decode(&row); err != nil {
			return err
		}
		if err := each(&row); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

func goccyStream(r io.Reader, each func(*bench.Row) error) error {
	dec := gojson.NewDecoder(r)
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		var row bench.Row
		if err := dec.Decode(&row); err != nil {
			return err
		}
		if err := each(&row); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// codecs lists the codecs; codec_jsonv2_test.go adds json/v2 when built
// with GOEXPERIMENT=jsonv2.
var codecs = []codec{
	{"encoding-json", json.Unmarshal, stdStream},
	{"goccy-go-json", gojson.Unmarshal, goccyStream},
	{"sonic-std", sonic.ConfigStd.Unmarshal, splitStream(sonic.ConfigStd.Unmarshal)},
	// sonic's default config does not copy strings: rows would alias the
	// split buffer, so it has no streaming mode here
	{"sonic-default", sonic.ConfigDefault.Unmarshal, nil},
}

// splitStream decodes row by row with bench.SplitArray and un on each
// element: constant memory for codecs without a token API.
func splitStream(un func([]byte, any) error) func(io.Reader, func(*bench.Row) error) error {
	return func(r io.Reader, each func(*bench.Row) error) error {
		return bench.SplitArray(r, func(b []byte) error {
			var row bench.Row
			if err := un(b, &row); err != nil {
				return err
			}
			return each(&row)
		})
	}
}

// semanticsCases are documents where codecs may part from encoding/json
// semantics that supakit promises its users.
type semRow struct {
	Name    string          `json:"name"`
	Upper   upper           `json:"upper"`
	Meta    json.RawMessage `json:"meta"`
	At      time.Time       `json:"at"`
	N       int32           `json:"n"`
	Ptr     *int            `json:"ptr"`
	Keep    string          `json:"keep"`
	Ignored string          `json:"-"`
}

// upper has a custom UnmarshalJSON (upper-cases a JSON string).
type upper string

func (u *upper) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*u = upper(strings.ToUpper(s))
	return nil
}

var semanticsCases = []struct {
	name string
	doc  string
}{
	{"custom UnmarshalJSON", `{"upper":"abc"}`},
	{"RawMessage kept verbatim", `{"meta": {"b" : [1, 2],  "a":null} }`},
	{"timestamptz (PostgREST)", `{"at":"2024-01-02T03:04:05.123456+00:00"}`},
	{"timestamp without zone", `{"at":"2024-01-02T03:04:05"}`},
	{"date only", `{"at":"2024-01-02"}`},
	{"keys without case", `{"NAME":"x"}`},
	{"duplicate keys", `{"name":"a","name":"b"}`},
	{"invalid UTF-8", "{\"name\":\"a\xffb\"}"},
	{"int32 overflow", `{"n":3000000000}`},
	{"float into int", `{"n":1.5}`},
	{"null into value", `{"keep":null}`},
	{"unknown field", `{"zzz":1,"name":"a"}`},
	{"json:\"-\" field", `{"-":"x","Ignored":"y"}`},
	{"escaped unicode", `{"name":"\u00e9\ud83d\ude00"}`},
}

// decodeSem decodes doc into a semRow that starts with Keep set.
func decodeSem(un func([]byte, any) error, doc string) (string, error) {
	v := semRow{Keep: "kept"}
	err := un([]byte(doc), &v)
	ptr := "nil"
	if v.Ptr != nil {
		ptr = fmt.Sprint(*v.Ptr)
	}
	return fmt.Sprintf("name=%q upper=%q meta=%q at=%s n=%d ptr=%s keep=%q ignored=%q",
		v.Name, v.Upper, v.Meta, v.At.Format(time.RFC3339Nano), v.N, ptr, v.Keep, v.Ignored), err
}

// semanticsMatrix returns, per codec, the cases where it departs from
// encoding/json (a different value, or an error where encoding/json has
// none or the other way round).
func semanticsMatrix() map[string][]string {
	out := map[string][]string{}
	for _, cd := range codecs[1:] {
		for _, tc := range semanticsCases {
			want, werr := decodeSem(json.Unmarshal, tc.doc)
			got, gerr := decodeSem(cd.unmarshal, tc.doc)
			if (werr == nil) != (gerr == nil) || (werr == nil && got != want) {
				out[cd.name] = append(out[cd.name], fmt.Sprintf("%s: encoding/json %s err=%v; %s %s err=%v", tc.name, want, werr, cd.name, got, gerr))
			}
		}
	}
	return out
}

// TestCodecSemantics records where each codec departs from encoding/json
// on the cases above; the expected departures are the measured ones, so a
// codec upgrade that changes them fails here.
func TestCodecSemantics(t *testing.T) {
	m := semanticsMatrix()
	for _, cd := range codecs[1:] {
		var names []string
		for _, d := range m[cd.name] {
			names = append(names, d[:strings.Index(d, ":")])
			t.Logf("%s", d)
		}
		want := wantDepartures[cd.name]
		if strings.Join(names, "; ") != strings.Join(want, "; ") {
			t.Errorf("%s departs from encoding/json on %q, want %q", cd.name, names, want)
		}
	}
}

// TestCodecsDecodeRows checks every codec decodes the benchmark rows as
// encoding/json does.
func TestCodecsDecodeRows(t *testing.T) {
	doc := bench.RowsJSON(0, 50)
	var want []bench.Row
	if err := json.Unmarshal(doc, &want); err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(want)
	for _, cd := range codecs {
		t.Run(cd.name, func(t *testing.T) {
			var got []bench.Row
			if err := cd.unmarshal(doc, &got); err != nil {
				t.Fatal(err)
			}
			if gotJSON, _ := json.Marshal(got); !bytes.Equal(gotJSON, wantJSON) {
				t.Errorf("rows differ from encoding/json's")
			}
			if cd.stream == nil {
				return
			}
			got = got[:0]
			if err := cd.stream(bytes.NewReader(doc), func(r *bench.Row) error { got = append(got, *r); return nil }); err != nil {
				t.Fatal(err)
			}
			if gotJSON, _ := json.Marshal(got); !bytes.Equal(gotJSON, wantJSON) {
				t.Errorf("streamed rows differ from encoding/json's")
			}
		})
	}
}

var errStop = errors.New("stop")

// BenchmarkCodec decodes 100,000 rows held in memory: into []Row in one
// call, and row by row from a reader (constant memory).
func BenchmarkCodec(b *testing.B) {
	const n = 100_000
	doc, free := bench.OffHeap(bench.RowsJSON(0, n))
	defer free()
	for _, cd := range codecs {
		b.Run("mode=slice/impl="+cd.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			hp := bench.StartHeapPeak(0)
			start := time.Now()
			cpuLoop(b, func() {
				var rows []bench.Row
				if err := cd.unmarshal(doc, &rows); err != nil {
					b.Fatal(err)
				}
				if len(rows) != n {
					b.Fatalf("%d rows", len(rows))
				}
			})
			b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "rows/s")
			b.ReportMetric(float64(hp.Stop())/(1<<20), "peak-MB")
		})
		if cd.stream == nil {
			continue
		}
		b.Run("mode=stream/impl="+cd.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			hp := bench.StartHeapPeak(0)
			start := time.Now()
			cpuLoop(b, func() {
				got := 0
				if err := cd.stream(bytes.NewReader(doc), func(*bench.Row) error { got++; return nil }); err != nil {
					b.Fatal(err)
				}
				if got != n {
					b.Fatalf("%d rows", got)
				}
			})
			b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "rows/s")
			b.ReportMetric(float64(hp.Stop())/(1<<20), "peak-MB")
		})
	}
}
