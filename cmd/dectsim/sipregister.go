package main

import (
	"errors"
	"sync"

	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/sipclient"
)

// sipRegistrar is what `dectsim serve --sip-register` gives every system
// (system.WithSIPClient): its REGISTERs go out through one SIP client
// whose Contact is the process's SIP address, known once SIP listens.
type sipRegistrar struct {
	mu sync.Mutex
	c  *sipclient.Client
}

// open starts the client, naming contact (host:port) in the Contact.
func (r *sipRegistrar) open(contact string) error {
	c, err := sipclient.New(sipclient.Config{Contact: contact})
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.c = c
	r.mu.Unlock()
	return nil
}

// close stops the client: refreshes end, nothing is left running.
func (r *sipRegistrar) close() {
	r.mu.Lock()
	c := r.c
	r.c = nil
	r.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

func (r *sipRegistrar) client() *sipclient.Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.c
}

// Register sends req's REGISTER; its failure is the event's reason.
func (r *sipRegistrar) Register(req system.SIPRequest) error {
	c := r.client()
	if c == nil {
		return &system.SIPError{Reason: system.SIPReasonUnreachable, Detail: "the SIP socket is not open (yet, or any more)"}
	}
	err := c.Register(account(req))
	var e *sipclient.Error
	if errors.As(err, &e) {
		return &system.SIPError{Reason: e.Reason, Detail: e.Detail}
	}
	return err
}

// Unregister sends req's REGISTER with Expires: 0.
func (r *sipRegistrar) Unregister(req system.SIPRequest) {
	if c := r.client(); c != nil {
		c.Unregister(account(req))
	}
}

// account is a system's registration as the client sends it.
func account(req system.SIPRequest) sipclient.Account {
	a := req.Account
	return sipclient.Account{Key: req.MAC + "/" + req.Slot, User: a.User, Domain: a.Domain, Registrar: a.Registrar,
		Transport: a.Transport, AuthName: a.AuthName, AuthPassword: a.AuthPassword, Expires: a.Expires, UserAgent: req.UserAgent}
}
