package storageapi_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/supakit/supakit/emulator/internal/storageapi"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      any
		want    int64
		wantNil bool
		wantErr bool
	}{
		{in: nil, wantNil: true},
		{in: float64(1024), want: 1024},
		{in: "1MB", want: 1000000},
		{in: "1mb", want: 1000000},
		{in: "100B", want: 100},
		{in: "2 GB", want: 2000000000},
		{in: "1.5KB", want: 1500},
		{in: "12345", want: 12345},
		{in: float64(-1), wantErr: true},
		{in: float64(1.5), wantErr: true},
		{in: "lots", wantErr: true},
		{in: "-3MB", wantErr: true},
		{in: "MB", wantErr: true},
		{in: true, wantErr: true},
		{in: "9999999999999999999TB", wantErr: true},
		{in: "NaN", wantErr: true},
		{in: "0x10", wantErr: true},
		{in: float64(1e19), wantErr: true},
	}
	for _, tt := range tests {
		got, err := storageapi.ParseSize(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseSize(%v) error %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}
		if tt.wantNil != (got == nil) || got != nil && *got != tt.want {
			t.Errorf("ParseSize(%v) = %v, want %d", tt.in, got, tt.want)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"1MB", "1.5 kb", "0", "9999999999999999999TB", "NaN", "Inf", "1e400B", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := storageapi.ParseSize(s)
		if err == nil && (got == nil || *got < 0) {
			t.Fatalf("ParseSize(%q) = %v without error", s, got)
		}
	})
}

func TestMimeAllowed(t *testing.T) {
	tests := []struct {
		ct      string
		allowed []string
		want    bool
	}{
		{"image/png", nil, true},
		{"image/png", []string{"image/png"}, true},
		{"IMAGE/PNG; charset=x", []string{"image/png"}, true},
		{"image/jpeg", []string{"image/*"}, true},
		{"imagex/png", []string{"image/*"}, false},
		{"image", []string{"image/*"}, false},
		{"text/plain", []string{"image/*", "application/pdf"}, false},
		{"application/pdf", []string{"image/*", "application/pdf"}, true},
		{"text/plain", []string{"*/*"}, true},
	}
	for _, tt := range tests {
		if got := storageapi.MimeAllowed(tt.ct, tt.allowed); got != tt.want {
			t.Errorf("MimeAllowed(%q, %v) = %v", tt.ct, tt.allowed, got)
		}
	}
}

func TestCheckKey(t *testing.T) {
	tests := []struct {
		key string
		ok  bool
	}{
		{"folder/hello.txt", true},
		{"folder/my file (1).txt", true},
		{"a/b/c!-_.*'()&$@=;:+,?.txt", true},
		{"folder/été.txt", false},
		{"a#b", false},
		{"100%", false},
		{"", false},
		{"tab\there", false},
	}
	for _, tt := range tests {
		if err := storageapi.CheckKey(tt.key); (err == nil) != tt.ok {
			t.Errorf("CheckKey(%q) = %v", tt.key, err)
		}
	}
}

// TestSweepStaleDataDirs: temporary data folders of dead processes go;
// those of running processes, and folders without an owner, stay.
func TestSweepStaleDataDirs(t *testing.T) {
	parent := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no true(1) to get a dead PID from:", err)
	}
	mk := func(name, owner string) string {
		d := filepath.Join(parent, name)
		if err := os.MkdirAll(filepath.Join(d, "tmp"), 0o755); err != nil {
			t.Fatal(err)
		}
		if owner != "" {
			if err := os.WriteFile(filepath.Join(d, "owner.pid"), []byte(owner), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	gone := mk("supakit-storage-dead", strconv.Itoa(dead.Process.Pid))
	live := mk("supakit-storage-live", strconv.Itoa(os.Getppid()))
	self := mk("supakit-storage-self", strconv.Itoa(os.Getpid()))
	none := mk("supakit-storage-none", "")
	other := mk("other-dead", strconv.Itoa(dead.Process.Pid))
	storageapi.SweepStale(parent)
	for d, want := range map[string]bool{gone: false, live: true, self: true, none: true, other: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s: exists=%v, want %v", filepath.Base(d), err == nil, want)
		}
	}
}
