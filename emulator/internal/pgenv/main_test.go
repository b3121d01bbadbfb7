package pgenv_test

import (
	"os"
	"testing"

	"github.com/supakit/supakit/emulator/internal/pgenv"
)

// TestMain clears the forcing variable: these tests choose the server
// themselves (TestThrowawayEnv sets it where it is the subject).
func TestMain(m *testing.M) {
	os.Unsetenv(pgenv.ThrowawayEnv)
	os.Exit(m.Run())
}
