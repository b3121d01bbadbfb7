package pgtypes_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/modelgen/pgtypes"
)

func TestDecimalJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    pgtypes.Decimal
		out     string
		wantErr bool
	}{
		{"number", `12.50`, "12.50", `12.50`, false},
		{"precision kept", `0.10000000000000000001`, "0.10000000000000000001", `0.10000000000000000001`, false},
		{"string", `"-3e5"`, "-3e5", `-3e5`, false},
		{"NaN", `"NaN"`, "NaN", `"NaN"`, false},
		{"leading point", `".5"`, ".5", `0.5`, false},
		{"plus and zeros", `"+007.50"`, "+007.50", `7.50`, false},
		{"infinity", `"-Infinity"`, "-Infinity", `"-Infinity"`, false},
		{"garbage", `"12a"`, "", "", true},
		{"empty string", `""`, "", "", true},
		{"bool", `true`, "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d pgtypes.Decimal
			err := json.Unmarshal([]byte(tc.in), &d)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Unmarshal(%s) = %q, want an error", tc.in, d)
				}
				return
			}
			if err != nil || d != tc.want {
				t.Fatalf("Unmarshal(%s) = %q, %v; want %q", tc.in, d, err, tc.want)
			}
			b, err := json.Marshal(d)
			if err != nil || string(b) != tc.out {
				t.Fatalf("Marshal = %s, %v; want %s", b, err, tc.out)
			}
		})
	}
	var zero pgtypes.Decimal
	if b, err := json.Marshal(zero); err != nil || string(b) != "0" {
		t.Errorf("zero Decimal = %s, %v", b, err)
	}
	if _, err := json.Marshal(pgtypes.Decimal("1,5")); !errors.Is(err, pgtypes.ErrSyntax) {
		t.Errorf("Marshal(1,5) = %v, want ErrSyntax", err)
	}
	if c, err := pgtypes.Decimal("10.0").Cmp("9.99999999999999999999"); err != nil || c != 1 {
		t.Errorf("Cmp = %d, %v", c, err)
	}
	if _, err := pgtypes.Decimal("1e999999999").Rat(); !errors.Is(err, pgtypes.ErrSyntax) {
		t.Errorf("huge exponent = %v, want ErrSyntax", err)
	}
}

func TestDateTimestamp(t *testing.T) {
	var d pgtypes.Date
	if err := json.Unmarshal([]byte(`"2024-02-29"`), &d); err != nil || d != (pgtypes.Date{Year: 2024, Month: 2, Day: 29}) {
		t.Fatalf("date = %+v, %v", d, err)
	}
	if b, _ := json.Marshal(d); string(b) != `"2024-02-29"` {
		t.Errorf("date JSON = %s", b)
	}
	if err := json.Unmarshal([]byte(`"2023-02-29"`), &d); !errors.Is(err, pgtypes.ErrSyntax) {
		t.Errorf("2023-02-29 = %v, want ErrSyntax", err)
	}
	if _, err := json.Marshal(pgtypes.Date{Year: 2023, Month: 2, Day: 30}); err == nil {
		t.Error("Feb 30 marshalled")
	}
	for _, in := range []string{`"2024-02-29T13:14:15.123456"`, `"2024-02-29 13:14:15.123456"`, `"2024-02-29T13:14:15.123456+02:00"`} {
		var ts pgtypes.Timestamp
		if err := json.Unmarshal([]byte(in), &ts); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		want := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)
		if !ts.Equal(want) {
			t.Errorf("%s = %v, want the wall clock %v", in, ts.Time, want)
		}
		if b, _ := json.Marshal(ts); string(b) != `"2024-02-29T13:14:15.123456"` {
			t.Errorf("timestamp JSON = %s", b)
		}
	}
	var ts pgtypes.Timestamp
	if err := json.Unmarshal([]byte(`"yesterday"`), &ts); !errors.Is(err, pgtypes.ErrSyntax) {
		t.Errorf("bad timestamp = %v", err)
	}
}

func TestBytea(t *testing.T) {
	var b pgtypes.Bytea
	if err := json.Unmarshal([]byte(`"\\x0001ff"`), &b); err != nil || string(b) != "\x00\x01\xff" {
		t.Fatalf("hex = %x, %v", b, err)
	}
	if err := json.Unmarshal([]byte(`"AAH/"`), &b); err != nil || string(b) != "\x00\x01\xff" {
		t.Fatalf("base64 = %x, %v", b, err)
	}
	if out, _ := json.Marshal(b); string(out) != `"\\x0001ff"` {
		t.Errorf("JSON = %s", out)
	}
	if out, _ := json.Marshal(pgtypes.Bytea(nil)); string(out) != "null" {
		t.Errorf("nil = %s", out)
	}
	if err := json.Unmarshal([]byte(`"\\xzz"`), &b); !errors.Is(err, pgtypes.ErrSyntax) {
		t.Errorf("bad hex = %v", err)
	}
}

func TestRange(t *testing.T) {
	tests := []struct {
		in      pgtypes.Range
		want    pgtypes.Bounds
		wantErr bool
	}{
		{"[1,10)", pgtypes.Bounds{Lower: "1", Upper: "10", HasLower: true, HasUpper: true, LowerInclusive: true}, false},
		{"(,5]", pgtypes.Bounds{Upper: "5", HasUpper: true, UpperInclusive: true}, false},
		{"empty", pgtypes.Bounds{Empty: true}, false},
		{"", pgtypes.Bounds{Empty: true}, false},
		{`["2024-01-01 00:00:00+00","2024-01-02 00:00:00+00")`, pgtypes.Bounds{Lower: "2024-01-01 00:00:00+00", Upper: "2024-01-02 00:00:00+00", HasLower: true, HasUpper: true, LowerInclusive: true}, false},
		{"[1,2", pgtypes.Bounds{}, true},
		{"1,2", pgtypes.Bounds{}, true},
	}
	for _, tc := range tests {
		got, err := tc.in.Parse()
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v (error %t)", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
	r := pgtypes.RangeOf("a,b", "", true, false)
	if r != `["a,b",)` {
		t.Errorf("RangeOf = %q", r)
	}
	if b, err := r.Parse(); err != nil || b.Lower != "a,b" || b.HasUpper {
		t.Errorf("round trip = %+v, %v", b, err)
	}
}

func FuzzRangeRoundTrip(f *testing.F) {
	f.Add("1", "10", true, false)
	f.Add(`a"b`, `c\d`, false, true)
	f.Add("", "x y", true, true)
	f.Fuzz(func(t *testing.T, lo, hi string, li, ui bool) {
		r := pgtypes.RangeOf(lo, hi, li, ui)
		b, err := r.Parse()
		if err != nil {
			t.Fatalf("RangeOf(%q, %q) = %q does not parse: %v", lo, hi, r, err)
		}
		if b.Lower != lo || b.Upper != hi {
			t.Fatalf("RangeOf(%q, %q) = %q parses to %q, %q", lo, hi, r, b.Lower, b.Upper)
		}
	})
}

func FuzzDecimalRoundTrip(f *testing.F) {
	for _, s := range []string{"0", "-1.5", "1e10", "NaN", "+Infinity", ".5", "5.", "12a", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := pgtypes.ParseDecimal(s)
		if err != nil {
			return
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("ParseDecimal(%q) ok but Marshal fails: %v", s, err)
		}
		if !json.Valid(b) {
			t.Fatalf("Marshal(%q) = %s, not JSON", s, b)
		}
		var back pgtypes.Decimal
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		if c, err := d.Cmp(back); err == nil {
			if c != 0 {
				t.Fatalf("round trip %q -> %s -> %q changes the value", s, b, back)
			}
		} else if back.String() != strings.TrimPrefix(d.String(), "+") {
			t.Fatalf("round trip %q -> %s -> %q", s, b, back)
		}
	})
}
