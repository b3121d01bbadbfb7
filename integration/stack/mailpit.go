package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// MailpitMailbox reads mails from Mailpit's HTTP API (the Docker stack's
// mail catcher).
type MailpitMailbox struct {
	// BaseURL is Mailpit's web address, e.g. http://127.0.0.1:32770.
	BaseURL string
	// Client sends the requests (http.DefaultClient when nil).
	Client *http.Client
}

var _ Mailbox = (*MailpitMailbox)(nil)

type mailpitSummary struct {
	ID      string    `json:"ID"`
	Created time.Time `json:"Created"`
	Subject string    `json:"Subject"`
}

type mailpitMessage struct {
	ID      string    `json:"ID"`
	Date    time.Time `json:"Date"`
	Subject string    `json:"Subject"`
	Text    string    `json:"Text"`
	HTML    string    `json:"HTML"`
}

// Latest implements Mailbox: it searches Mailpit for mails to the address
// until one created at or after since (less a second of clock skew between
// the container and the host) arrives.
func (m *MailpitMailbox) Latest(ctx context.Context, to string, since time.Time) (Mail, error) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		mail, ok, err := m.latestOnce(ctx, to, since.Add(-time.Second))
		if err != nil && ctx.Err() != nil {
			return Mail{}, fmt.Errorf("%w to %s: %v", ErrNoMail, to, ctx.Err())
		}
		if err != nil {
			return Mail{}, err
		}
		if ok {
			return mail, nil
		}
		select {
		case <-ctx.Done():
			return Mail{}, fmt.Errorf("%w to %s: %v", ErrNoMail, to, ctx.Err())
		case <-tick.C:
		}
	}
}

func (m *MailpitMailbox) latestOnce(ctx context.Context, to string, since time.Time) (Mail, bool, error) {
	var list struct {
		Messages []mailpitSummary `json:"messages"`
	}
	q := url.Values{"query": {fmt.Sprintf("to:%q", to)}, "limit": {"20"}}
	if err := m.get(ctx, "/api/v1/search?"+q.Encode(), &list); err != nil {
		return Mail{}, false, err
	}
	var newest *mailpitSummary
	for i := range list.Messages {
		s := &list.Messages[i]
		if s.Created.Before(since) {
			continue
		}
		if newest == nil || s.Created.After(newest.Created) {
			newest = s
		}
	}
	if newest == nil {
		return Mail{}, false, nil
	}
	var msg mailpitMessage
	if err := m.get(ctx, "/api/v1/message/"+url.PathEscape(newest.ID), &msg); err != nil {
		return Mail{}, false, err
	}
	mail := ParseMail(msg.Text, msg.HTML)
	mail.To = strings.ToLower(to)
	mail.Subject = msg.Subject
	mail.At = newest.Created
	return mail, true, nil
}

func (m *MailpitMailbox) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(m.BaseURL, "/")+path, nil)
	if err != nil {
		return err
	}
	hc := m.Client
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("stack: mailpit: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("stack: mailpit: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("stack: mailpit %s answered %d", path, resp.StatusCode)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("stack: mailpit %s: %w", path, err)
	}
	return nil
}

var (
	otpRE  = regexp.MustCompile(`(?:^|[^0-9A-Za-z])([0-9]{6})(?:[^0-9A-Za-z]|$)`)
	linkRE = regexp.MustCompile(`https?://[^\s"'<>]+/verify\?[^\s"'<>]+`)
)

// ParseMail reads GoTrue's verification link and code out of a mail's
// text and HTML bodies.
func ParseMail(text, htmlBody string) Mail {
	var m Mail
	for _, body := range []string{text, htmlBody} {
		if m.Link == "" {
			if l := linkRE.FindString(body); l != "" {
				m.Link = html.UnescapeString(l)
			}
		}
	}
	if m.Link != "" {
		if u, err := url.Parse(m.Link); err == nil {
			m.TokenHash = u.Query().Get("token")
			m.VerifyType = u.Query().Get("type")
		}
	}
	for _, body := range []string{text, stripTags(htmlBody)} {
		// The link's own digits are not a code: look outside it.
		body = linkRE.ReplaceAllString(body, " ")
		if sm := otpRE.FindStringSubmatch(body); sm != nil {
			m.OTP = sm[1]
			break
		}
	}
	return m
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

func stripTags(s string) string { return html.UnescapeString(tagRE.ReplaceAllString(s, " ")) }
