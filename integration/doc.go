// Package integration is supakit's end-to-end suite: every call of the
// Supabase reference, made through the public Go API against a real stack
// (a project in the environment, a Docker stack, or the emulator; see
// package stack). The tests live in this folder's _test files; the schema
// they need is in migrations/.
//
//	cd integration && go test -race ./...
//
// It is its own Go module, so that testcontainers-go and Docker's client
// stay out of the library's go.mod.
package integration
