package gotrue

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// auditLogTypes maps GoTrue's audit actions to their log types.
var auditLogTypes = map[string]string{
	"login":                         "account",
	"logout":                        "account",
	"invite_accepted":               "account",
	"user_signedup":                 "team",
	"user_invited":                  "team",
	"user_deleted":                  "team",
	"token_revoked":                 "token",
	"token_refreshed":               "token",
	"user_modified":                 "user",
	"user_recovery_requested":       "user",
	"user_confirmation_requested":   "user",
	"user_repeated_signup":          "user",
	"user_updated_password":         "user",
	"user_reauthenticate_requested": "user",
	"factor_in_progress":            "factor",
	"factor_unenrolled":             "factor",
	"challenge_created":             "factor",
	"verification_attempted":        "factor",
	"factor_deleted":                "factor",
}

// audit appends an entry to auth.audit_log_entries; actor nil means the
// service role (admin API).
func (h *Handler) audit(ctx context.Context, tx pgx.Tx, actor *user, action string, traits map[string]any) error {
	payload := map[string]any{
		"action":         action,
		"actor_id":       "00000000-0000-0000-0000-000000000000",
		"actor_username": "service_role",
		"actor_via_sso":  false,
		"log_type":       auditLogTypes[action],
	}
	if actor != nil {
		payload["actor_id"] = actor.ID.String()
		name := actor.Email
		if name == "" {
			name = actor.Phone
		}
		payload["actor_username"] = name
		if n, ok := actor.UserMeta["full_name"].(string); ok && n != "" {
			payload["actor_name"] = n
		}
	}
	if len(traits) > 0 {
		payload["traits"] = traits
	}
	_, err := tx.Exec(ctx, `insert into auth.audit_log_entries (instance_id, id, payload, created_at, ip_address)
		values ('00000000-0000-0000-0000-000000000000', $1, $2, $3, '')`, uuid.New(), mustJSON(payload), h.now())
	return err
}

// userTraits are the traits of admin actions on u.
func userTraits(u *user) map[string]any {
	return map[string]any{"user_id": u.ID.String(), "user_email": u.Email, "user_phone": u.Phone}
}

// GET /admin/audit?page=&per_page=
func (h *Handler) adminAudit(w http.ResponseWriter, r *http.Request) error {
	if err := h.requireAdmin(r); err != nil {
		return err
	}
	page, perPage, err := pagination(r, 50)
	if err != nil {
		return err
	}
	type entry struct {
		ID        uuid.UUID       `json:"id"`
		Payload   json.RawMessage `json:"payload"`
		CreatedAt time.Time       `json:"created_at"`
		IPAddress string          `json:"ip_address"`
	}
	ctx := r.Context()
	out := []entry{}
	var total int
	err = h.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `select count(*) from auth.audit_log_entries`).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `select id, coalesce(payload, '{}')::text, created_at, ip_address from auth.audit_log_entries
			order by created_at desc, id limit $1 offset $2`, perPage, (page-1)*perPage)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e entry
			var payload string
			if err := rows.Scan(&e.ID, &payload, &e.CreatedAt, &e.IPAddress); err != nil {
				return err
			}
			e.Payload = json.RawMessage(payload)
			e.CreatedAt = e.CreatedAt.UTC()
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	h.paginationHeaders(w, r, page, perPage, total)
	writeJSON(w, http.StatusOK, out)
	return nil
}

// pagination reads page and per_page (empty values mean the defaults).
func pagination(r *http.Request, defPerPage int) (page, perPage int, err error) {
	q := r.URL.Query()
	page, perPage = 1, defPerPage
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, badRequest("validation_failed", "Bad Pagination Parameters")
		}
		page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, badRequest("validation_failed", "Bad Pagination Parameters")
		}
		perPage = n
	}
	return page, perPage, nil
}
