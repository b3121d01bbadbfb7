// Package e2etest holds end-to-end tests of the auth client against the
// emulator's /auth/v1 over a real PostgreSQL. They live apart from package
// auth so that the client's own tests do not depend on the emulator; they
// skip when no PostgreSQL is available (and in -short mode).
package e2etest
