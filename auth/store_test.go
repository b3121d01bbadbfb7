package auth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/supakit/supakit/auth"
)

// TestFileStoreWritesAtomically: every write replaces the file whole (a
// reader never sees a partial file, no temporary file is left behind),
// and the file is private (0600) even when it existed with wider rights.
func TestFileStoreWritesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "session.json")
	if err := os.WriteFile(path, []byte(`{"old":"value"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, err := auth.NewFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := fs.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v after a write, want 0600", info.Mode().Perm())
	}

	big := strings.Repeat("x", 64<<10) // writes large enough to be seen half done
	var wg sync.WaitGroup
	stop := make(chan struct{})
	readErr := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				readErr <- nil
				return
			default:
			}
			b, err := os.ReadFile(path)
			if err != nil {
				readErr <- err
				return
			}
			var m map[string]string
			if err := json.Unmarshal(b, &m); err != nil {
				readErr <- fmt.Errorf("partial file (%d bytes): %v", len(b), err)
				return
			}
		}
	}()
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				if err := fs.Set(ctx, fmt.Sprintf("k%d", i), big); err != nil {
					t.Error(err)
				}
			}
		}(i)
	}
	wg.Wait()
	close(stop)
	if err := <-readErr; err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("files left in the folder: %v", names)
	}
	for i := 0; i < 4; i++ {
		if v, ok, err := fs.Get(ctx, fmt.Sprintf("k%d", i)); err != nil || !ok || len(v) != len(big) {
			t.Fatalf("k%d: %d bytes, %v, %v", i, len(v), ok, err)
		}
	}
}
