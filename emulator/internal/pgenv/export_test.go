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

// OwnerComment returns the comment a fresh database of pid would carry on
// this machine.
func OwnerComment(pid int) string {
	o := currentOwner()
	o.PID = pid
	return o.comment()
}

// Orphaned reports whether a database with comment would be swept.
func Orphaned(comment string) bool { return orphaned(comment, currentOwner()) }
