package pgenv

// ClusterDir returns the folder of e's throwaway cluster ("" if none).
func ClusterDir(e *Env) string {
	if e.cluster == nil {
		return ""
	}
	return e.cluster.dir
}

// SetDefaultURL replaces the URL tried when none is configured.
func SetDefaultURL(u string) (restore func()) {
	old := defaultURL
	defaultURL = u
	return func() { defaultURL = old }
}
