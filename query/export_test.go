package query

// NamedCount reports how many Col/JSONPath pointers are registered.
func NamedCount() int64 { return namedCount.Load() }

// Gen returns the query value's number for the Read cache.
func (q Query) Gen() uint64 { return q.gen }

// ReadUncached builds the Read request without the cache.
func (q Query) ReadUncached() (Request, error) {
	m := MethodGet
	if q.mods().head {
		m = MethodHead
	}
	return q.build(m, kindRead, Write{}, Call{})
}
