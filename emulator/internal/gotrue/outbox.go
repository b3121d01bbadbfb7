package gotrue

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Message kinds.
const (
	KindSignup           = "signup"
	KindMagicLink        = "magiclink"
	KindRecovery         = "recovery"
	KindInvite           = "invite"
	KindEmailChange      = "email_change"
	KindReauthentication = "reauthentication"
	KindSMS              = "sms"
)

// Message is one mail or text the emulator would have sent.
type Message struct {
	// To is the recipient: a lower-cased email address, or a phone number
	// in digits without '+' (as GoTrue stores it).
	To string
	// Kind is the mail template: signup, magiclink, recovery, invite,
	// email_change, reauthentication, or sms for texts.
	Kind string
	// VerifyType is the type to pass to POST /verify with OTP (e.g.
	// "signup", "magiclink", "email_change", "sms", "phone_change",
	// "reauthentication" for the PUT /user nonce).
	VerifyType string
	// Subject is the mail subject (empty for texts).
	Subject string
	// OTP is the 6-digit code.
	OTP string
	// TokenHash is the token_hash accepted by /verify (empty for texts and
	// nonces).
	TokenHash string
	// Link is the verification link (GET /verify), empty for texts and
	// nonces.
	Link string
	// RedirectTo is where the link redirects after verification.
	RedirectTo string
	// At is when the message was recorded.
	At time.Time
}

// Outbox records messages instead of sending them. It is safe for
// concurrent use; its zero value is not usable (get it from
// [Handler.Outbox]).
type Outbox struct {
	mu     sync.Mutex
	byTo   map[string][]Message
	notify chan struct{} // closed and replaced on every Add
}

func newOutbox() *Outbox {
	return &Outbox{byTo: map[string][]Message{}, notify: make(chan struct{})}
}

// normalizeRecipient lower-cases emails and strips '+' and spaces from phone
// numbers.
func normalizeRecipient(to string) string {
	to = strings.TrimSpace(strings.ToLower(to))
	if !strings.Contains(to, "@") {
		to = strings.TrimPrefix(strings.ReplaceAll(to, " ", ""), "+")
	}
	return to
}

func (o *Outbox) add(m Message) {
	m.To = normalizeRecipient(m.To)
	o.mu.Lock()
	o.byTo[m.To] = append(o.byTo[m.To], m)
	close(o.notify)
	o.notify = make(chan struct{})
	o.mu.Unlock()
}

// Messages returns the messages sent to to, oldest first.
func (o *Outbox) Messages(to string) []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Message(nil), o.byTo[normalizeRecipient(to)]...)
}

// Latest returns the most recent message sent to to.
func (o *Outbox) Latest(to string) (Message, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	ms := o.byTo[normalizeRecipient(to)]
	if len(ms) == 0 {
		return Message{}, false
	}
	return ms[len(ms)-1], true
}

// Wait returns the most recent message to to for which match returns true
// (any message when match is nil), waiting for one to arrive until ctx is
// done. To wait for a message caused by a later request, match on At or on
// a count taken before the request.
func (o *Outbox) Wait(ctx context.Context, to string, match func(Message) bool) (Message, error) {
	to = normalizeRecipient(to)
	for {
		o.mu.Lock()
		ms := o.byTo[to]
		ch := o.notify
		for i := len(ms) - 1; i >= 0; i-- {
			if match == nil || match(ms[i]) {
				m := ms[i]
				o.mu.Unlock()
				return m, nil
			}
		}
		o.mu.Unlock()
		select {
		case <-ctx.Done():
			return Message{}, ctx.Err()
		case <-ch:
		}
	}
}

// Reset forgets every message.
func (o *Outbox) Reset() {
	o.mu.Lock()
	o.byTo = map[string][]Message{}
	o.mu.Unlock()
}
