package clickpay

import (
	"errors"
	"fmt"
	"payroll/payout"
	"regexp"
	"strings"
	"time"
)

var countOrTotal = regexp.MustCompile(`\b(count|total)\b`)

// Outcome says whether a failed call may have changed the server's state:
// the pipeline's payout.Outcome.
type Outcome = payout.Outcome

const (
	// NotApplied: the server certainly did not apply the call (could not
	// connect, or it answered with a refusal). It is safe to send it again.
	NotApplied = payout.OutcomeNotApplied
	// Unknown: the request may have been applied (time-out after sending,
	// connection cut, 5xx, unreadable answer). It must not be sent again
	// blindly: query the server first.
	Unknown = payout.OutcomeUnknown
)

// Error is a failed call. It never holds the server key.
type Error struct {
	Call       string // "new", "add", "close", "query", "search"
	HTTPStatus int    // 0 when there was no answer
	Code       int    // the server's error code, when it sent one
	Message    string // the server's message, when it sent one
	Trace      string // the server's trace id, when it sent one
	Outcome    Outcome
	RetryAfter time.Duration // from a 429's Retry-After
	Location   string        // where a 3xx answer pointed (never followed)
	Err        error         // the transport error, when there was no answer
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "clickpay %s: %s", e.Call, e.Cause())
	var details []string
	if e.HTTPStatus != 0 {
		details = append(details, fmt.Sprintf("HTTP %d", e.HTTPStatus))
	}
	if e.Code != 0 {
		details = append(details, fmt.Sprintf("code %d", e.Code))
	}
	if e.Message != "" {
		details = append(details, fmt.Sprintf("%q", e.Message))
	}
	if e.Trace != "" {
		details = append(details, "trace "+e.Trace)
	}
	if e.Err != nil {
		details = append(details, e.Err.Error())
	}
	if len(details) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(details, ", "))
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Cause says in words a user can act on what went wrong.
func (e *Error) Cause() string {
	msg := strings.ToLower(e.Message)
	switch {
	case e.HTTPStatus == 0 && e.Outcome == NotApplied:
		return "could not reach Clickpay; check the network and CLICKPAY_BASE_URL"
	case e.HTTPStatus >= 300 && e.HTTPStatus < 400:
		to := e.Location
		if to == "" {
			to = "an address it did not give"
		}
		return fmt.Sprintf("Clickpay answered with a redirect to %s, which is never followed (the server key would go there too); check CLICKPAY_BASE_URL", to)
	case e.HTTPStatus == 0:
		return "the connection failed after the request was sent, so it may or may not have been applied"
	case e.HTTPStatus == 401:
		return "the server key was refused; check CLICKPAY_SERVER_KEY (the key of this profile, not a client key)"
	case e.HTTPStatus == 403:
		return "this key may not make payouts for this profile or account; check CLICKPAY_PROFILE_ID and CLICKPAY_ACCOUNT_ID"
	case e.HTTPStatus == 409 || e.Code == 4:
		return "the server reports a duplicate request"
	case e.HTTPStatus == 429:
		return "too many requests; Clickpay asks to slow down"
	case e.insufficient():
		return "the deposit account's balance does not cover the batch; top it up"
	case namesProfile(msg):
		return "the profile or account id is wrong; check CLICKPAY_PROFILE_ID and CLICKPAY_ACCOUNT_ID"
	case countOrTotal.MatchString(msg):
		return "the count or total does not match the batch"
	case e.HTTPStatus >= 500:
		return "Clickpay had a server error, so the request may or may not have been applied"
	case e.HTTPStatus == 400:
		return "Clickpay refused the request as invalid"
	case e.HTTPStatus == 404:
		return "not found; check the batch id, CLICKPAY_BASE_URL and the call paths"
	}
	return "the call failed"
}

// namesProfile reports whether a server's message (in lower case) is about
// the profile or account id.
func namesProfile(msg string) bool {
	return strings.Contains(msg, "profile") || strings.Contains(msg, "account_id") || strings.Contains(msg, "account id")
}

// configRefused reports whether the server refused the call for the
// configuration: the server key (401), what the key may do (403), or a
// refusal naming the profile or account id, as Cause words them.
func (e *Error) configRefused() bool {
	switch {
	case e.HTTPStatus == 401 || e.HTTPStatus == 403:
		return true
	case e.HTTPStatus < 400 || e.HTTPStatus >= 500 || e.HTTPStatus == 409 || e.HTTPStatus == 429 || e.Code == 4 || e.insufficient():
		return false
	}
	return namesProfile(strings.ToLower(e.Message))
}

// IsUnknown reports whether err is a call that may have been applied.
func IsUnknown(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Outcome == Unknown
}

// IsNotApplied reports whether err is a call that certainly was not applied.
func IsNotApplied(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Outcome == NotApplied
}

// insufficient reports whether the server refused the call for the deposit
// account's balance. Clickpay documents no code for it, so its message is
// the only sign; this is the one place that reads it.
func (e *Error) insufficient() bool {
	if e.HTTPStatus < 400 || e.HTTPStatus >= 500 {
		return false
	}
	msg := strings.ToLower(e.Message)
	return strings.Contains(msg, "balance") || strings.Contains(msg, "insufficient") || strings.Contains(msg, "funds")
}

// IsInsufficientBalance reports whether a close was refused for the deposit
// account's balance.
func IsInsufficientBalance(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.insufficient()
}

// IsDuplicate reports whether the server refused a call as a duplicate.
func IsDuplicate(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.HTTPStatus == 409 || e.Code == 4)
}
