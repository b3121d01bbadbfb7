package bench_test

// wantDepartures lists, per codec, the semantics cases (codec_test.go)
// where it departs from encoding/json, as measured.
var wantDepartures = map[string][]string{
	"sonic-default": {"invalid UTF-8"},
	// built with GOEXPERIMENT=jsonv2 only
	"json-v2": {"keys without case", "duplicate keys", "invalid UTF-8", "null into value"},
}
