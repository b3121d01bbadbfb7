// Package bench measures supakit's hot paths beside the peer client
// (github.com/supabase-community/postgrest-go) and a hand-written floor,
// in one process: query encoding, request building, row decoding (whole
// arrays and the streaming iterator, with peak heap), 64-way concurrent
// selects (throughput, latency, connections opened) and selects through
// the emulator against pgx directly.
//
// The package holds the shared pieces (the model, its data, the floor
// builder, a PostgREST-shaped test server, a peak-heap sampler); the
// benchmarks are in its tests. Run them all with ./run.sh, which prints
// each figure as a ratio to the peer and to the floor (see README.md).
package bench
