package auth_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/supakit/supakit/auth"
)

func TestParseError(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		header   http.Header
		body     string
		wantCode string
		wantMsg  string
		is       error
	}{
		{"legacy shape", 400, nil, `{"code":400,"error_code":"invalid_credentials","msg":"Invalid login credentials"}`,
			"invalid_credentials", "Invalid login credentials", auth.ErrInvalidCredentials},
		{"2024-01-01 shape", 400, nil, `{"code":"invalid_credentials","message":"Invalid login credentials"}`,
			"invalid_credentials", "Invalid login credentials", auth.ErrInvalidCredentials},
		{"oauth shape", 400, nil, `{"error":"invalid_grant","error_description":"Invalid login credentials"}`,
			"invalid_grant", "Invalid login credentials", auth.ErrInvalidCredentials},
		{"weak password", 422, nil, `{"code":"weak_password","message":"Password should be at least 6 characters.","weak_password":{"reasons":["length"]}}`,
			"weak_password", "Password should be at least 6 characters.", auth.ErrWeakPassword},
		{"code only in header", 403, http.Header{"X-Sb-Error-Code": {"otp_expired"}}, `{"message":"Token has expired or is invalid"}`,
			"otp_expired", "Token has expired or is invalid", auth.ErrOTPExpired},
		{"empty body", 502, nil, ``, "", "Bad Gateway", nil},
		{"not json", 500, nil, `<html>oops</html>`, "", "Internal Server Error", nil},
		{"rate limit by status", 429, nil, `{"message":"Too many requests"}`, "", "Too many requests", auth.ErrOverRateLimit},
		{"email exists", 422, nil, `{"code":422,"error_code":"email_exists","msg":"A user with this email address has already been registered"}`,
			"email_exists", "A user with this email address has already been registered", auth.ErrUserAlreadyExists},
		{"user already exists", 422, nil, `{"code":"user_already_exists","message":"User already registered"}`,
			"user_already_exists", "User already registered", auth.ErrUserAlreadyExists},
		{"insufficient aal", 422, nil, `{"code":422,"error_code":"insufficient_aal","msg":"AAL2 required to unenroll verified factor"}`,
			"insufficient_aal", "AAL2 required to unenroll verified factor", auth.ErrInsufficientAAL},
		{"mfa failed", 422, nil, `{"code":"mfa_verification_failed","message":"Invalid TOTP code entered"}`,
			"mfa_verification_failed", "Invalid TOTP code entered", auth.ErrMFAVerificationFailed},
		{"session gone", 403, nil, `{"code":"session_not_found","message":"Session from session_id claim in JWT does not exist"}`,
			"session_not_found", "Session from session_id claim in JWT does not exist", auth.ErrSessionNotFound},
		{"email not confirmed", 400, nil, `{"code":400,"error_code":"email_not_confirmed","msg":"Email not confirmed"}`,
			"email_not_confirmed", "Email not confirmed", auth.ErrEmailNotConfirmed},
	}
	all := []error{auth.ErrInvalidCredentials, auth.ErrWeakPassword, auth.ErrUserAlreadyExists, auth.ErrSessionNotFound,
		auth.ErrRefreshTokenAlreadyUsed, auth.ErrRefreshTokenNotFound, auth.ErrOTPExpired, auth.ErrMFAVerificationFailed,
		auth.ErrInsufficientAAL, auth.ErrOverRateLimit, auth.ErrEmailNotConfirmed}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := auth.ParseError(tt.status, tt.header, []byte(tt.body))
			if e.Status != tt.status || e.Code != tt.wantCode || e.Message != tt.wantMsg {
				t.Fatalf("got %d %q %q", e.Status, e.Code, e.Message)
			}
			var err error = e
			for _, s := range all {
				if got, want := errors.Is(err, s), s == tt.is; got != want {
					t.Errorf("errors.Is(%v) = %v, want %v", s, got, want)
				}
			}
			if !strings.Contains(e.Error(), tt.wantMsg) {
				t.Errorf("Error() = %q", e.Error())
			}
		})
	}
	e := auth.ParseError(422, nil, []byte(`{"code":"weak_password","message":"m","weak_password":{"reasons":["length","characters"]}}`))
	if len(e.WeakPasswordReasons) != 2 {
		t.Fatalf("reasons = %v", e.WeakPasswordReasons)
	}
	e.Method, e.Path = "POST", "/token"
	if got := e.Error(); got != "auth: POST /token: 422 weak_password: m" {
		t.Fatalf("Error() = %q", got)
	}
}
