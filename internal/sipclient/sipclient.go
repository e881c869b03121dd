// Package sipclient sends a DECT manager's SIP REGISTERs to a real
// registrar (dectsim serve --sip-register): one REGISTER per account, over
// UDP or TCP as the account says, answered Digest challenges (401 and
// 407), each transaction bounded in real time, a registered account
// refreshed in wall time before it expires, Expires: 0 when it goes, and
// a bound on how many transactions are in flight at once. It knows
// nothing of the model: the caller says when, it says how it went.
package sipclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Reasons of a REGISTER that failed, as Error.Reason carries them; the
// system's sip-register-failed events use the same words.
const (
	ReasonForbidden    = "forbidden"
	ReasonUnauthorized = "unauthorized"
	ReasonTimeout      = "timeout"
	ReasonUnreachable  = "unreachable"
)

// Defaults of Config.
const (
	DefaultTimeout     = 5 * time.Second
	DefaultMaxInFlight = 64
	// RefreshAt is the share of the granted expiry after which a
	// registration is sent again.
	RefreshAt = 0.8
	// Quiet is how long a registrar that did not answer (or could not be
	// reached) is not asked again: a REGISTER to it fails at once in the
	// meantime, so 10,000 accounts on a dead PBX cost one timeout, not
	// 10,000, of the caller's time.
	Quiet = 30 * time.Second
)

// Config says how the client talks.
type Config struct {
	// Contact is the host:port the registrations name in their Contact
	// (the serve process's SIP address).
	Contact string
	// Timeout bounds one transaction in real time (0: DefaultTimeout).
	Timeout time.Duration
	// MaxInFlight bounds the transactions under way at once (0:
	// DefaultMaxInFlight); the others wait their turn.
	MaxInFlight int
}

// Account is one registration.
type Account struct {
	// Key names the registration (a system's MAC and slot), so a refresh
	// and its de-registration find it.
	Key string
	// User and Domain make the address of record, sip:User@Domain;
	// Registrar is where the REGISTER goes, host[:port] (5060).
	User, Domain, Registrar string
	// Transport is "TCP" for TCP, anything else UDP.
	Transport              string
	AuthName, AuthPassword string
	// Expires is the lifetime asked for, in seconds.
	Expires   int
	UserAgent string
	// Instance, when set, is a dm= parameter of the Contact, so the
	// registrations of one account through several DECT managers are
	// bindings of their own.
	Instance string
}

// Error is a REGISTER the registrar did not accept.
type Error struct {
	Reason, Detail string
}

func (e *Error) Error() string { return e.Reason + ": " + e.Detail }

// Client sends registrations until Close.
type Client struct {
	cfg     Config
	ua      *sipgo.UserAgent
	c       *sipgo.Client
	host    string
	port    int
	sem     chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex
	refresh map[string]*time.Timer
	down    map[string]downSince // registrars that did not answer, by address
	wg      sync.WaitGroup
}

// downSince is a registrar that did not answer: since when, and why.
type downSince struct {
	at  time.Time
	err *Error
}

var quiet = slog.New(slog.DiscardHandler)

// New makes a client whose registrations name cfg.Contact.
func New(cfg Config) (*Client, error) {
	host, p, err := net.SplitHostPort(cfg.Contact)
	if err != nil {
		return nil, fmt.Errorf("sipclient: contact %q is not HOST:PORT", cfg.Contact)
	}
	port, _ := strconv.Atoi(p)
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(quiet)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(quiet),
			sip.WithTransactionLayerUnhandledResponseHandler(func(*sip.Response) {})),
	)
	if err != nil {
		return nil, err
	}
	c, err := sipgo.NewClient(ua, sipgo.WithClientHostname(host), sipgo.WithClientLogger(quiet))
	if err != nil {
		ua.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Client{cfg: cfg, ua: ua, c: c, host: host, port: port, sem: make(chan struct{}, cfg.MaxInFlight),
		ctx: ctx, cancel: cancel, refresh: make(map[string]*time.Timer), down: make(map[string]downSince)}, nil
}

// Register sends a's REGISTER and waits for its final answer, at most the
// timeout (and its turn); on success it keeps a registered until
// Unregister or Close, refreshing it in wall time.
func (c *Client) Register(a Account) error {
	granted, err := c.send(a, a.Expires)
	if err != nil {
		return err
	}
	c.schedule(a, granted)
	return nil
}

// Unregister stops a's refresh and sends its REGISTER with Expires: 0;
// what the registrar answers changes nothing.
func (c *Client) Unregister(a Account) {
	c.mu.Lock()
	if t := c.refresh[a.Key]; t != nil {
		c.stop(t)
		delete(c.refresh, a.Key)
	}
	c.mu.Unlock()
	_, _ = c.send(a, 0)
}

// Close stops every refresh and the transport; no goroutine of the
// client's is left when it returns. The registrations are left to
// expire at the registrar.
func (c *Client) Close() {
	c.cancel()
	c.mu.Lock()
	for k, t := range c.refresh {
		c.stop(t)
		delete(c.refresh, k)
	}
	c.mu.Unlock()
	c.wg.Wait()
	_ = c.ua.Close()
}

// schedule sends a again after RefreshAt of the lifetime the registrar
// granted.
func (c *Client) schedule(a Account, granted int) {
	if granted <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx.Err() != nil {
		return
	}
	if t := c.refresh[a.Key]; t != nil {
		c.stop(t)
	}
	c.wg.Add(1)
	c.refresh[a.Key] = time.AfterFunc(time.Duration(float64(granted)*RefreshAt*float64(time.Second)), func() {
		defer c.wg.Done()
		if c.ctx.Err() != nil {
			return
		}
		if g, err := c.send(a, a.Expires); err == nil {
			c.schedule(a, g)
		}
	})
}

// stop stops a refresh timer; one stopped before it fired will never
// run, so its share of the wait group is given back here.
func (c *Client) stop(t *time.Timer) {
	if t.Stop() {
		c.wg.Done()
	}
}

// send runs one REGISTER transaction, its Digest retry included, and
// returns the lifetime granted.
func (c *Client) send(a Account, expires int) (int, error) {
	c.mu.Lock()
	d, isDown := c.down[a.Registrar]
	c.mu.Unlock()
	if isDown && time.Since(d.at) < Quiet {
		return 0, &Error{d.err.Reason, fmt.Sprintf("%s (at %s; not asked again for %s)", d.err.Detail, d.at.UTC().Format(time.TimeOnly), Quiet)}
	}
	select {
	case c.sem <- struct{}{}:
		defer func() { <-c.sem }()
	case <-c.ctx.Done():
		return 0, &Error{ReasonTimeout, "the client is closed"}
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.cfg.Timeout)
	defer cancel()
	req, err := c.request(a, expires)
	if err != nil {
		return 0, err
	}
	res, err := c.c.Do(ctx, req)
	if err == nil && (res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired) {
		user := a.AuthName
		if user == "" {
			user = a.User
		}
		res, err = c.c.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: user, Password: a.AuthPassword})
	}
	if err != nil {
		e := c.failure(a, err)
		if e.Reason == ReasonTimeout || e.Reason == ReasonUnreachable {
			c.mu.Lock()
			c.down[a.Registrar] = downSince{time.Now(), e}
			c.mu.Unlock()
		}
		return 0, e
	}
	c.mu.Lock()
	delete(c.down, a.Registrar)
	c.mu.Unlock()
	return granted(res, expires)
}

// request builds a's REGISTER.
func (c *Client) request(a Account, expires int) (*sip.Request, error) {
	host, port, err := splitRegistrar(a.Registrar)
	if err != nil {
		return nil, &Error{ReasonUnreachable, err.Error()}
	}
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: host, Port: port})
	aor := sip.Uri{Scheme: "sip", User: a.User, Host: a.Domain}
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor, Params: sip.NewParams()})
	contact := sip.Uri{Scheme: "sip", User: a.User, Host: c.host, Port: c.port}
	if a.Instance != "" {
		contact.UriParams = sip.NewParams()
		contact.UriParams.Add("dm", a.Instance)
	}
	req.AppendHeader(&sip.ContactHeader{Address: contact})
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	if a.UserAgent != "" {
		req.AppendHeader(sip.NewHeader("User-Agent", a.UserAgent))
	}
	if strings.EqualFold(a.Transport, "TCP") {
		req.SetTransport("TCP")
	}
	return req, nil
}

// splitRegistrar reads host[:port], 5060 when no port is given.
func splitRegistrar(r string) (string, int, error) {
	if r == "" {
		return "", 0, errors.New("no registrar address")
	}
	host, p, err := net.SplitHostPort(r)
	if err != nil {
		return r, 5060, nil
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("registrar %q has no port from 1 to 65535", r)
	}
	return host, port, nil
}

// granted reads a final answer: 2xx is accepted, with the lifetime the
// registrar grants (its Expires, else the one asked for).
func granted(res *sip.Response, asked int) (int, error) {
	switch code := res.StatusCode; {
	case code >= 200 && code < 300:
		if h := res.GetHeader("Expires"); h != nil {
			if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n >= 0 {
				return n, nil
			}
		}
		return asked, nil
	case code == sip.StatusForbidden:
		return 0, &Error{ReasonForbidden, fmt.Sprintf("the registrar answered %d %s", code, res.Reason)}
	case code == sip.StatusUnauthorized || code == sip.StatusProxyAuthRequired:
		return 0, &Error{ReasonUnauthorized, fmt.Sprintf("the registrar answered %d %s to the credentials", code, res.Reason)}
	default:
		return 0, &Error{fmt.Sprintf("status-%03d", code), fmt.Sprintf("the registrar answered %d %s", code, res.Reason)}
	}
}

// failure names why a transaction got no final answer.
func (c *Client) failure(a Account, err error) *Error {
	var dns *net.DNSError
	switch {
	case errors.As(err, &dns):
		return &Error{ReasonUnreachable, fmt.Sprintf("%s does not resolve", dns.Name)}
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, sip.ErrTransactionTimeout):
		return &Error{ReasonTimeout, fmt.Sprintf("no final answer from %s within %s", a.Registrar, c.cfg.Timeout)}
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return &Error{ReasonUnreachable, fmt.Sprintf("%s: %v", a.Registrar, op.Err)}
	}
	return &Error{ReasonUnreachable, fmt.Sprintf("%s: %v", a.Registrar, err)}
}
