//go:build !unix

package storageapi

// alive cannot tell on this system: every owner counts as running, so
// nothing is swept.
func alive(int) bool { return true }
