// Package migrations holds the integration suite's schema as SQL files,
// applied in name order, the same way on every stack (see package stack).
package migrations

import "embed"

// FS holds the *.sql files of this folder.
//
//go:embed *.sql
var FS embed.FS
