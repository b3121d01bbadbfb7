package gotrue

// Test hooks.

var (
	NormalizeEmail = normalizeEmail
	NormalizePhone = normalizePhone
)

// RedirectTarget exposes the redirect allow-list check.
func (h *Handler) RedirectTarget(want string) string { return h.redirectTarget(want) }

// NewForRedirects builds a handler without a database, for pure checks.
func NewForRedirects(cfg Config) (*Handler, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Handler{cfg: c}, nil
}
