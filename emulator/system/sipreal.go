package system

import (
	"errors"
	"sync"

	"github.com/dectsim/dectsim/internal/sipclient"
)

// RealRegistrar is a SIPClient that sends the REGISTERs over real SIP
// (UDP, or TCP as the account says) to the registrars the files name:
// what `dectsim serve --sip-register` and dectsimtest.WithSIPRegistrar
// give their systems. It is safe for concurrent use; one serves any
// number of systems. Until Open, and after Close, a REGISTER fails
// (unreachable).
type RealRegistrar struct {
	mu sync.Mutex
	c  *sipclient.Client
}

// Open starts sending, naming contact (host:port, the process's SIP
// address) in the registrations' Contact.
func (r *RealRegistrar) Open(contact string) error {
	c, err := sipclient.New(sipclient.Config{Contact: contact})
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.c = c
	r.mu.Unlock()
	return nil
}

// Close stops sending: refreshes end, no goroutine is left; the
// registrations are left to expire at their registrars.
func (r *RealRegistrar) Close() {
	r.mu.Lock()
	c := r.c
	r.c = nil
	r.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

func (r *RealRegistrar) client() *sipclient.Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.c
}

// Register sends req's REGISTER and waits for its answer (bounded in real
// time); its failure is the event's reason.
func (r *RealRegistrar) Register(req SIPRequest) error {
	c := r.client()
	if c == nil {
		return &SIPError{Reason: SIPReasonUnreachable, Detail: "the SIP socket is not open (yet, or any more)"}
	}
	err := c.Register(sipAccountOf(req))
	var e *sipclient.Error
	if errors.As(err, &e) {
		return &SIPError{Reason: e.Reason, Detail: e.Detail}
	}
	return err
}

// Unregister sends req's REGISTER with Expires: 0.
func (r *RealRegistrar) Unregister(req SIPRequest) {
	if c := r.client(); c != nil {
		c.Unregister(sipAccountOf(req))
	}
}

// sipAccount is a system's registration as the client sends it.
func sipAccountOf(req SIPRequest) sipclient.Account {
	a := req.Account
	return sipclient.Account{Key: req.MAC + "/" + req.Slot + "/" + req.Instance, User: a.User, Domain: a.Domain, Registrar: a.Registrar,
		Transport: a.Transport, AuthName: a.AuthName, AuthPassword: a.AuthPassword, Expires: a.Expires, UserAgent: req.UserAgent,
		Instance: req.Instance}
}
