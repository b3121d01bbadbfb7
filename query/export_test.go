package query

// NamedCount reports how many Col/JSONPath pointers are registered.
func NamedCount() int64 { return namedCount.Load() }
