package stack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/supakit/supakit/emulator"
)

// ProbeTable is a table the suite's migrations create; the stack waits for
// PostgREST to serve it before Open returns.
const ProbeTable = "countries"

// Open resolves the tier (see Choose), prints one line saying which and why,
// starts or reaches the stack, applies the migrations and waits until REST
// serves them. The caller must Close the stack, also after an error (Close
// of a nil *Stack is not allowed; Open returns a non-nil Stack only without
// error).
func Open(ctx context.Context, o Options) (*Stack, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	logf := o.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	d, err := Choose(getenv, func() error { return PingDocker(ctx, getenv, o.DockerPingTimeout) })
	if err != nil {
		return nil, err
	}
	logf("integration: %s tier (%s)", d.Tier, d.Reason)
	var s *Stack
	switch d.Tier {
	case TierHosted:
		s, err = openHosted(ctx, getenv)
	case TierDocker:
		s, err = StartDocker(ctx, DockerConfigFromEnv(getenv), logf)
	default:
		s, err = openEmulator(ctx, getenv)
	}
	if err != nil {
		if s != nil {
			err = errors.Join(err, s.Close())
		}
		return nil, err
	}
	s.Reason = d.Reason
	if err := s.migrate(ctx, o.Migrations, logf); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

func (s *Stack) migrate(ctx context.Context, src MigrationSource, logf func(string, ...any)) error {
	if src == nil {
		return nil
	}
	if s.DatabaseURL == "" {
		logf("integration: no database URL for the %s tier (SUPABASE_DB_URL): migrations must already be applied", s.Tier)
	} else if err := ApplyMigrations(ctx, s.DatabaseURL, src); err != nil {
		return err
	}
	if s.ReloadSchema != nil {
		if err := s.ReloadSchema(ctx); err != nil {
			return fmt.Errorf("stack: reload schema: %w", err)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return waitREST(wctx, s.URL, s.ServiceRoleKey, ProbeTable)
}

func openHosted(_ context.Context, getenv Env) (*Stack, error) {
	s := &Stack{
		Tier:           TierHosted,
		URL:            getenv("SUPABASE_URL"),
		AnonKey:        getenv("SUPABASE_ANON_KEY"),
		ServiceRoleKey: getenv("SUPABASE_SERVICE_ROLE_KEY"),
		JWTSecret:      getenv("SUPABASE_JWT_SECRET"),
		DatabaseURL:    getenv("SUPABASE_DB_URL"),
		Explain:        getenv("SUPABASE_PLAN_ENABLED") == "1" || getenv("SUPABASE_PLAN_ENABLED") == "true",
		MaxRows:        1000,
	}
	if v := getenv("SUPABASE_MAX_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("%w: SUPABASE_MAX_ROWS=%q is not a number", ErrUnavailable, v)
		}
		s.MaxRows = n
	}
	return s, nil
}

// EmulatorMaxRows is the max rows the emulator tier serves, Supabase's
// default.
const EmulatorMaxRows = 1000

func openEmulator(ctx context.Context, _ Env) (*Stack, error) {
	srv, err := emulator.Start(ctx, emulator.Config{
		FreshDatabase: true,
		MaxRows:       EmulatorMaxRows,
		Auth:          emulator.AuthConfig{AllowAnonymous: true},
	})
	if err != nil {
		// pgenv's ErrNoServer is internal to the emulator: recognise it by
		// its message.
		if strings.Contains(err.Error(), "no PostgreSQL server available") {
			return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		return nil, fmt.Errorf("stack: emulator: %w", err)
	}
	s := &Stack{
		Tier:           TierEmulator,
		URL:            srv.URL,
		AnonKey:        srv.AnonKey,
		ServiceRoleKey: srv.ServiceRoleKey,
		JWTSecret:      srv.JWTSecret,
		DatabaseURL:    srv.DatabaseURL,
		MaxRows:        EmulatorMaxRows,
		Explain:        true,
		Mailbox:        emulatorMailbox{srv},
		Functions:      srv,
		ReloadSchema:   srv.ReloadSchema,
	}
	s.onClose(srv.Close)
	return s, nil
}

// emulatorMailbox reads the emulator's outbox.
type emulatorMailbox struct{ srv *emulator.Server }

func (m emulatorMailbox) Latest(ctx context.Context, to string, since time.Time) (Mail, error) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		msgs := m.srv.Outbox().Messages(to)
		for i := len(msgs) - 1; i >= 0; i-- {
			msg := msgs[i]
			if msg.At.Before(since) {
				break
			}
			return Mail{To: msg.To, Subject: msg.Subject, OTP: msg.OTP, TokenHash: msg.TokenHash,
				Link: msg.Link, VerifyType: msg.VerifyType, At: msg.At}, nil
		}
		select {
		case <-ctx.Done():
			return Mail{}, fmt.Errorf("%w to %s: %v", ErrNoMail, to, ctx.Err())
		case <-tick.C:
		}
	}
}

var _ FunctionHost = (*emulator.Server)(nil)
var _ Mailbox = emulatorMailbox{}
