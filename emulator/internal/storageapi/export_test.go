package storageapi

// Test hooks.
var (
	ParseSize   = parseSize
	MimeAllowed = mimeAllowed
	CheckKey    = checkKey
)
