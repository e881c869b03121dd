// Package provserver is a small provisioning server of the kind PBX
// plugins contain, kept here as the worked example of testing one against
// dectsim: it renders a complete Nx70 file from an in-memory user list,
// DeleteNotProvisionedHS first, one add_hs per user's handset.
package provserver

import (
	"fmt"
	"html"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// User is one PBX user with a DECT handset.
type User struct {
	Ext  string // extension, e.g. "1001"
	Name string
	IPUI string // the handset's IPUI, 10 hex digits
	PIN  string // registration PIN (DECT_AC)
}

// Server serves /prov/<mac>.xml for every system that asks.
type Server struct {
	mu    sync.Mutex
	users map[string]User
	// Hits counts requests per path, for tests.
	hits map[string]int
}

// New returns a server with no users.
func New() *Server { return &Server{users: map[string]User{}, hits: map[string]int{}} }

// Add adds or replaces a user.
func (s *Server) Add(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.Ext] = u
}

// Remove removes a user; the next file the system fetches no longer names
// the user's handset.
func (s *Server) Remove(ext string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.users, ext)
}

// Hits returns how often path was requested.
func (s *Server) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// ServeHTTP answers GET /prov/<mac>.xml with the complete file, only to
// Gigaset devices (identified by their User-Agent, as real servers do).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	users := make([]User, 0, len(s.users))
	for _, u := range s.users {
		users = append(users, u)
	}
	s.mu.Unlock()
	if !strings.HasPrefix(r.URL.Path, "/prov/") || !strings.HasSuffix(r.URL.Path, ".xml") {
		http.NotFound(w, r)
		return
	}
	if !strings.HasPrefix(r.UserAgent(), "Gigaset ") {
		http.Error(w, "not a Gigaset device", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write(Render(users))
}

// Render produces the complete provisioning file for users.
func Render(users []User) []byte {
	sort.Slice(users, func(i, j int) bool { return users[i].Ext < users[j].Ext })
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<provisioning version="1.1" productID="e2">` + "\n  <nvm>\n")
	b.WriteString(`    <oper name="DeleteNotProvisionedHS"/>` + "\n")
	b.WriteString(`    <param name="SipProvider.0.Domain" value="pbx.example.net"/>` + "\n")
	for _, u := range users {
		id := strings.ToLower(u.IPUI)
		fmt.Fprintf(&b, `    <oper name="add_hs" value="%s"><param name="hs.RegStatus" value="ToReg"/></oper>`+"\n", id)
		param(&b, "hs."+id+".DECT_AC", u.PIN)
		param(&b, "SipAccount."+id+".UserName", u.Ext)
		param(&b, "SipAccount."+id+".AuthName", u.Ext)
		param(&b, "SipAccount."+id+".DisplayName", u.Ext+" "+u.Name)
		param(&b, "SipAccount."+id+".ProviderId", "0")
	}
	b.WriteString("  </nvm>\n</provisioning>\n")
	return []byte(b.String())
}

func param(b *strings.Builder, name, value string) {
	b.WriteString(`    <param name="`)
	b.WriteString(html.EscapeString(name))
	b.WriteString(`" value="`)
	b.WriteString(html.EscapeString(value))
	b.WriteString("\"/>\n")
}
