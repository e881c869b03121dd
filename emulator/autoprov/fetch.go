package autoprov

import (
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/engine/des"
	"github.com/dectsim/dectsim/internal/provfile"
)

// cred is a digest username and password.
type cred struct{ user, pass string }

// failure is a fetch that went wrong, with its reason code.
type failure struct {
	reason, detail string
	status         int // the HTTP status behind a status-<code> reason
}

// doc is a body that arrived, with the URL it came from (after redirects).
type doc struct {
	url    string
	status string
	body   []byte
}

// result is what a check hands to the event that applies it.
type result struct {
	kind   string
	fail   *failure
	doc    *doc
	file   *provfile.File // the assembled version 1.0 chain
	reject *system.Event  // a chain file the system refuses
	chain  string         // how the chain went, for the fetch event
	learn  *cred          // credentials from a URL, kept on success
}

// session is one fetch: every request it makes shares one deadline, one
// User-Agent and one set of credentials.
type session struct {
	f       *Fetcher
	ctx     context.Context
	ua      string
	mac     string
	conf    *cred // configured credentials, nil if none
	learned *cred // credentials met in a URL during this fetch
	nc      map[string]int
}

// fetch runs one check at the current simulated time and schedules its
// result Latency later.
func (f *Fetcher) fetch(kind string) {
	res := f.run(kind)
	var id des.ID
	id = f.host.Sim.After(f.cfg.Latency, func() {
		delete(f.inflight, id)
		f.finish(res)
	})
	f.inflight[id] = struct{}{}
}

// run makes the requests of one check and says what came of them.
func (f *Fetcher) run(kind string) *result {
	res := &result{kind: kind}
	u, fail := f.fileURL()
	if fail != nil {
		res.fail = fail
		return res
	}
	if f.cfg.Handler == nil {
		if f.waited >= f.cfg.NetworkBudget {
			res.fail = &failure{reason: ReasonTimeout,
				detail: fmt.Sprintf("no request made: the fetcher has spent its network time of %s", f.cfg.NetworkBudget)}
			return res
		}
		start := time.Now()
		defer func() { f.waited += time.Since(start) }()
	}
	s, done := f.newSession(u)
	defer done()
	d, fail := s.getFile(u)
	if fail != nil {
		res.fail = fail
		return res
	}
	res.doc = d
	s.followChain(res)
	res.learn = s.learned
	return res
}

// fileURL is the provisioning URL in force with %MACD replaced, or why
// there is nothing to fetch.
func (f *Fetcher) fileURL() (*url.URL, *failure) {
	f.mu.Lock()
	raw := f.urlLocked()
	f.mu.Unlock()
	if raw == "" {
		return nil, &failure{reason: ReasonNoURL, detail: "the system has no provisioning URL"}
	}
	u, err := parseHTTPURL(expandMACD(raw, f.sys.MAC(), f.cfg.UpperMAC))
	if err != nil {
		return nil, &failure{reason: ReasonBadURL, detail: fmt.Sprintf("provisioning URL: %v", err)}
	}
	return u, nil
}

// newSession starts a fetch of u: the User-Agent, the credentials in force
// (those written in u are taken out of it) and the real-time deadline.
// done ends the session.
func (f *Fetcher) newSession(u *url.URL) (s *session, done func()) {
	mac := f.sys.MAC()
	s = &session{
		f:   f,
		ua:  UserAgent(f.sys.Product(), f.sys.Firmware(), mac),
		mac: mac,
		nc:  make(map[string]int),
	}
	if f.user != "" {
		s.conf = &cred{f.user, f.password}
	}
	if u.User != nil {
		s.takeUserinfo(u)
	}
	if f.cfg.Handler != nil {
		s.ctx = context.Background()
		return s, func() {}
	}
	ctx, cancel := context.WithTimeout(context.Background(), f.cfg.Timeout)
	s.ctx = ctx
	return s, func() {
		if f.own {
			f.client.CloseIdleConnections()
		}
		cancel()
	}
}

// getFile fetches the document u names. A directory (a path that is empty,
// as in http://10.0.0.1:8667, or ends in "/") is provisioning.xml there,
// else <MAC>.xml, as the vendor's provisioning flow for the N870/N670
// describes.
func (s *session) getFile(u *url.URL) (*doc, *failure) {
	if !isDir(u) {
		return s.get(u)
	}
	d, fail := s.get(inDir(u, "provisioning.xml"))
	if fail == nil || fail.status != http.StatusNotFound {
		return d, fail
	}
	name := macCase(s.mac, s.f.cfg.UpperMAC) + ".xml"
	d, fail = s.get(inDir(u, name))
	if fail != nil && fail.status == http.StatusNotFound {
		fail = &failure{reason: ReasonNotFound, status: http.StatusNotFound,
			detail: fmt.Sprintf("neither provisioning.xml nor %s exists at %s", name, redact(u))}
	}
	return d, fail
}

// isDir says whether u names a directory: its path is empty or ends in "/".
// A widely used public PBX plugin writes its server as http://<ip>:<port>
// and serves <mac>.xml at that root.
func isDir(u *url.URL) bool {
	return u.Path == "" || strings.HasSuffix(u.Path, "/")
}

// inDir is the file name in the directory u.
func inDir(u *url.URL, name string) *url.URL {
	c := *u
	if c.Path == "" {
		c.Path = "/"
	}
	c.Path += name
	c.RawPath = ""
	return &c
}

// takeUserinfo makes credentials written into a URL the configured digest
// credentials (from firmware 2.53 the redirect server hands them out this way)
// and removes them from the URL: the device never sends Basic credentials.
func (s *session) takeUserinfo(u *url.URL) {
	pass, _ := u.User.Password()
	c := &cred{u.User.Username(), pass}
	u.User = nil
	if c.user == "" {
		return
	}
	s.conf, s.learned = c, c
}

// get fetches one document, following redirects and answering digest
// challenges on each hop.
func (s *session) get(u *url.URL) (*doc, *failure) {
	redirects := 0
	for {
		resp, fail := s.hop(u)
		if fail != nil {
			return nil, fail
		}
		code := resp.StatusCode
		switch {
		case code == http.StatusMovedPermanently || code == http.StatusFound || code == http.StatusSeeOther ||
			code == http.StatusTemporaryRedirect || code == http.StatusPermanentRedirect:
			loc := resp.Header.Get("Location")
			bad := resp.Header.Get(badLocation)
			discard(resp)
			if loc == "" && bad != "" {
				return nil, &failure{reason: ReasonBadURL,
					detail: fmt.Sprintf("GET %s: redirect to an unusable Location %q", redact(u), bad)}
			}
			if loc == "" {
				return nil, &failure{reason: StatusReason(code), status: code,
					detail: fmt.Sprintf("GET %s: %s without a Location", redact(u), resp.Status)}
			}
			redirects++
			if redirects > MaxRedirects {
				return nil, &failure{reason: ReasonRedirectLoop,
					detail: fmt.Sprintf("GET %s: more than %d redirects", redact(u), MaxRedirects)}
			}
			next, err := u.Parse(loc)
			if err == nil {
				_, err = parseHTTPURL(next.String())
			}
			if err != nil {
				return nil, &failure{reason: ReasonBadURL,
					detail: fmt.Sprintf("GET %s: redirect to an unusable Location %q", redact(u), loc)}
			}
			if next.User != nil {
				s.takeUserinfo(next)
			}
			u = next
		case code >= 200 && code < 300:
			return s.readBody(resp, u)
		default:
			discard(resp)
			return nil, &failure{reason: StatusReason(code), status: code,
				detail: fmt.Sprintf("GET %s: %s", redact(u), statusText(resp))}
		}
	}
}

// hop makes one request, answering 401 with digest credentials: first the
// MAC as user and password, then the configured ones, the order the
// vendor documents.
func (s *session) hop(u *url.URL) (*http.Response, *failure) {
	creds := []*cred{nil, {s.mac, s.mac}}
	if s.conf != nil && *s.conf != *creds[1] {
		creds = append(creds, s.conf)
	}
	var ch *challenge
	staleRetried := false
	for i := 0; ; {
		resp, fail := s.do(u, creds[i], ch)
		if fail != nil {
			return nil, fail
		}
		if resp.StatusCode != http.StatusUnauthorized {
			return resp, nil
		}
		chs := parseChallenges(resp.Header.Values("WWW-Authenticate"))
		discard(resp)
		c, why := pickDigest(chs)
		if c == nil {
			if i > 0 {
				why += ", after trying " + triedUsers(creds[1:i+1])
			}
			return nil, &failure{reason: ReasonUnauthorized, detail: fmt.Sprintf("GET %s: 401: %s", redact(u), why)}
		}
		ch = c
		if i > 0 && c.stale() && !staleRetried {
			staleRetried = true // a fresh nonce for the same credentials
			continue
		}
		staleRetried = false
		i++
		if i >= len(creds) {
			tried := triedUsers(creds[1:])
			if len(creds) == 2 {
				tried += " (no user and password are configured)"
			}
			return nil, &failure{reason: ReasonUnauthorized, detail: fmt.Sprintf("GET %s: 401 after trying %s", redact(u), tried)}
		}
	}
}

// triedUsers names the digest user names tried, in order: "users
// 7C2F80A1B2C3, admin" or "user 7C2F80A1B2C3".
func triedUsers(creds []*cred) string {
	names := make([]string, len(creds))
	for i, c := range creds {
		names[i] = c.user
	}
	if len(names) == 1 {
		return "user " + names[0]
	}
	return "users " + strings.Join(names, ", ")
}

// do sends one request and records it.
func (s *session) do(u *url.URL, c *cred, ch *challenge) (*http.Response, *failure) {
	f := s.f
	rec := Request{At: f.sys.Now(), Method: http.MethodGet, URL: redact(u), UserAgent: s.ua}
	req, err := http.NewRequestWithContext(s.ctx, http.MethodGet, redact(u), nil)
	if err != nil {
		rec.Err = err.Error()
		f.record(rec)
		return nil, &failure{reason: ReasonBadURL, detail: fmt.Sprintf("GET %s: %v", redact(u), err)}
	}
	req.Header.Set("User-Agent", s.ua)
	if c != nil {
		rec.AuthUser = c.user
		req.Header.Set("Authorization", ch.authorization(c, http.MethodGet, u.RequestURI(), s.nc, newCnonce(f.rng)))
	}
	var resp *http.Response
	if f.cfg.Handler != nil {
		resp, err = serve(f.cfg.Handler, req)
	} else {
		resp, err = f.client.Do(req)
	}
	if err != nil {
		rec.Err = netPhrase(unwrapURLError(err))
		f.record(rec)
		return nil, s.classify(u, err)
	}
	rec.Status = resp.StatusCode
	f.record(rec)
	return resp, nil
}

func (f *Fetcher) record(r Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r)
	f.mu.Unlock()
}

// noteBodyError adds a body error to the last request's record.
func (f *Fetcher) noteBodyError(err error) {
	f.mu.Lock()
	if n := len(f.requests); n > 0 {
		f.requests[n-1].Err = netPhrase(err)
	}
	f.mu.Unlock()
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// classify turns a transport error into a reason code, with a detail in
// fixed words (netPhrase).
func (s *session) classify(u *url.URL, err error) *failure {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	detail := fmt.Sprintf("GET %s: %s", redact(u), netPhrase(err))
	switch {
	case s.ctx.Err() != nil || isTimeout(err):
		return &failure{reason: ReasonTimeout, detail: fmt.Sprintf("GET %s: no complete answer within %s", redact(u), s.f.cfg.Timeout)}
	case isTLS(err):
		return &failure{reason: ReasonTLS, detail: detail}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &failure{reason: ReasonTruncated, detail: detail}
	}
	return &failure{reason: ReasonUnreachable, detail: detail}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

func isTLS(err error) bool {
	var cve *tls.CertificateVerificationError
	var uae x509.UnknownAuthorityError
	var he x509.HostnameError
	var cie x509.CertificateInvalidError
	var rhe tls.RecordHeaderError
	var ae tls.AlertError
	return errors.As(err, &cve) || errors.As(err, &uae) || errors.As(err, &he) || errors.As(err, &cie) ||
		errors.As(err, &rhe) || errors.As(err, &ae) || plainHTTP(err)
}

// plainHTTP reports the error net/http gives, as text only, for an https
// URL whose server answers in plain HTTP.
func plainHTTP(err error) bool {
	return strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// netPhrase says what went wrong on the network in fixed words. Go's
// socket errors name both ends ("read tcp 127.0.0.1:52972->…"), and the
// emulator's own end is an ephemeral port that changes every run: fetch
// events name the server by its URL and the failure by one of these
// phrases, so the same story prints the same bytes every time.
func netPhrase(err error) string {
	var dns *net.DNSError
	var uae x509.UnknownAuthorityError
	var he x509.HostnameError
	var cie x509.CertificateInvalidError
	var rhe tls.RecordHeaderError
	var ae tls.AlertError
	switch {
	case errors.As(err, &dns):
		switch {
		case dns.IsNotFound:
			return "DNS failure: no such host"
		case dns.IsTimeout:
			return "DNS failure: timeout"
		}
		return "DNS failure"
	case isTimeout(err):
		return "timeout"
	case errors.As(err, &uae):
		return "TLS failure: certificate signed by an unknown authority"
	case errors.As(err, &he):
		return "TLS failure: the certificate is not valid for this host"
	case errors.As(err, &cie):
		return "TLS failure: invalid certificate"
	case errors.As(err, &rhe), plainHTTP(err):
		return "TLS failure: the server does not speak TLS"
	case errors.As(err, &ae):
		return "TLS failure: the server sent the alert " + strings.TrimPrefix(ae.Error(), "tls: ")
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return "connection closed"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before the answer was complete"
	case errors.Is(err, io.EOF):
		return "connection closed without an answer"
	case isBadEncoding(err):
		return "the body is not valid gzip data"
	}
	var op *net.OpError
	if errors.As(err, &op) {
		// Some other socket error: what was tried and the system's word
		// for it, never the addresses.
		var se *os.SyscallError
		if errors.As(op.Err, &se) {
			return op.Op + ": " + se.Err.Error()
		}
		return op.Op + ": network error"
	}
	// Not a socket error (a malformed response, a handler that gave no
	// answer): its own words, which name no socket.
	return err.Error()
}

// isBadEncoding reports a body that says Content-Encoding: gzip and is
// not gzip data (the client decompresses it as it is read).
func isBadEncoding(err error) bool {
	var ce flate.CorruptInputError
	return errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.As(err, &ce)
}

// readBody reads a success body, at most MaxBody+1 bytes of it. A body
// with Content-Encoding: gzip is read decompressed (the client does it
// over sockets, readBody for a Handler), and MaxBody bounds what it
// decompresses to.
func (s *session) readBody(resp *http.Response, u *url.URL) (*doc, *failure) {
	defer resp.Body.Close()
	max := s.f.cfg.MaxBody
	if resp.ContentLength > max && !gzipped(resp) {
		return nil, &failure{reason: ReasonTooLarge,
			detail: fmt.Sprintf("GET %s: Content-Length %d is over the limit of %d bytes", redact(u), resp.ContentLength, max)}
	}
	body := io.Reader(resp.Body)
	if gzipped(resp) {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, s.bodyFailure(u, err, 0)
		}
		body = zr
	}
	data, err := io.ReadAll(io.LimitReader(body, max+1))
	if err != nil {
		return nil, s.bodyFailure(u, err, len(data))
	}
	if int64(len(data)) > max {
		return nil, &failure{reason: ReasonTooLarge,
			detail: fmt.Sprintf("GET %s: the body is over the limit of %d bytes", redact(u), max)}
	}
	if resp.ContentLength > int64(len(data)) && !gzipped(resp) {
		// In-process handlers can promise more than they write.
		return nil, &failure{reason: ReasonTruncated,
			detail: fmt.Sprintf("GET %s: %d of %d bytes arrived", redact(u), len(data), resp.ContentLength)}
	}
	return &doc{url: redact(u), status: statusText(resp), body: data}, nil
}

// gzipped reports a body still compressed when it reaches readBody: a
// Handler's answer (the client decompresses what comes over sockets).
func gzipped(resp *http.Response) bool {
	return !resp.Uncompressed && strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip")
}

// bodyFailure says why a body could not be read whole, after n bytes.
func (s *session) bodyFailure(u *url.URL, err error, n int) *failure {
	s.f.noteBodyError(err)
	switch {
	case s.ctx.Err() != nil:
		return &failure{reason: ReasonTimeout,
			detail: fmt.Sprintf("GET %s: the body was not complete within %s (%d bytes read)", redact(u), s.f.cfg.Timeout, n)}
	case isBadEncoding(err):
		return &failure{reason: ReasonBadEncoding,
			detail: fmt.Sprintf("GET %s: the body says Content-Encoding: gzip but is not gzip data", redact(u))}
	}
	return &failure{reason: ReasonTruncated,
		detail: fmt.Sprintf("GET %s: the body broke off after %d bytes: %s", redact(u), n, netPhrase(err))}
}

// discard drops a body the fetch does not use, reading a little of it so
// the connection can be reused.
func discard(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	_ = resp.Body.Close()
}

func statusText(resp *http.Response) string {
	if resp.Status != "" {
		return resp.Status
	}
	return fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
}

// errAborted is a handler that panicked after it began its answer: to the
// client that is a connection broken mid-body.
var errAborted = fmt.Errorf("handler aborted its response: %w", io.ErrUnexpectedEOF)

// serve answers req by calling h on this goroutine, as a server would.
func serve(h http.Handler, req *http.Request) (resp *http.Response, err error) {
	req.RequestURI = req.URL.RequestURI()
	req.RemoteAddr = "192.0.2.1:49152"
	req.Body = http.NoBody
	if req.URL.Scheme == "https" {
		req.TLS = &tls.ConnectionState{Version: tls.VersionTLS13, HandshakeComplete: true, ServerName: req.URL.Hostname()}
	}
	rec := httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			resp = nil
			if rec.Body.Len() > 0 || rec.Flushed {
				err = errAborted
			} else {
				err = fmt.Errorf("handler closed the connection without an answer: %v", p)
			}
		}
	}()
	h.ServeHTTP(rec, req)
	return rec.Result(), nil
}

// finish applies a check's result at its simulated time: the fetch event
// first, then what the system does with the document.
func (f *Fetcher) finish(res *result) {
	sys := f.host
	ev := system.Event{Type: system.EvFetch, Outcome: "error"}
	prefix := res.kind + ": "
	switch {
	case res.fail != nil:
		ev.Reason, ev.Detail = res.fail.reason, prefix+res.fail.detail
		sys.Record(ev)
		return
	case res.reject != nil:
		ev.Reason = ReasonRejected
		ev.Detail = prefix + res.chain + "; the system refused " + res.reject.File
		sys.Record(ev)
		sys.Record(*res.reject)
		return
	}
	d := res.doc
	got := fmt.Sprintf("GET %s: %s, %d bytes", d.url, d.status, len(d.body))
	pf := res.file
	if pf == nil {
		var err error
		pf, err = provfile.ParseWith(d.url, d.body, provfile.Options{Limits: provfile.DefaultLimits})
		if err != nil {
			ev.Reason, ev.Detail = ReasonRejected, prefix+got+"; the system refused it: "+err.Error()
			sys.Record(ev)
			// Logs provisioning-rejected and changes nothing, as for any
			// document the system cannot read.
			_ = sys.Apply(d.url, d.body, provfile.Pos{})
			return
		}
	} else {
		got = res.chain
	}
	if !pf.HasProductID || pf.ProductID != "e2" {
		ev.Reason, ev.Detail = ReasonRejected, fmt.Sprintf("%s%s; the system refused it: productID %q is not \"e2\"", prefix, got, pf.ProductID)
		sys.Record(ev)
		_ = sys.ApplyParsed(pf) // logs provisioning-rejected
		return
	}
	ev.Outcome, ev.Detail = "ok", prefix+got
	sys.Record(ev)
	if res.learn != nil {
		// Stored once a download with them succeeded, as the device does.
		f.user, f.password = res.learn.user, res.learn.pass
	}
	_ = sys.ApplyParsed(pf)
}
