package storageapi

// Test hooks.
var (
	ParseSize   = parseSize
	MimeAllowed = mimeAllowed
	CheckKey    = checkKey
)

// SweepStale exposes sweepStale.
var SweepStale = sweepStale
