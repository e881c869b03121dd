package system

import (
	"sort"
	"strings"

	"github.com/dectsim/dectsim/internal/vocab/ipui"
)

// settingsStore keeps every provisioned param. The per-slot ones
// (hs.<id>.*, SipAccount.<id>.*) live in a bucket per slot key, so removing
// a slot's accounts settings costs the size of that bucket, not of the
// store: a Virtual Integrator holds some 200,000 settings.
type settingsStore struct {
	global map[string]string
	bySlot map[string]*bucket
	n      int
	// last is the bucket written most recently: a complete file sets a
	// slot's params one after another, so most writes skip the map.
	lastKey string
	last    *bucket
	// names interns the per-slot param names (DECT_AC, AuthName, …): a
	// few dozen spellings shared by tens of thousands of slots.
	names map[string]string
}

// maxInterned bounds the interned names, so a stream of made-up param
// names cannot grow the table without end.
const maxInterned = 4096

type bucket struct {
	params []slotParam
}

type slotParam struct {
	sip   bool // SipAccount.<key>.<rest> rather than hs.<key>.<rest>
	rest  string
	value string
}

func newSettingsStore() settingsStore {
	return settingsStore{global: make(map[string]string), bySlot: make(map[string]*bucket), names: make(map[string]string)}
}

// splitSlotParam recognises hs.<key>.<rest> and SipAccount.<key>.<rest>,
// with the key in canonical form (IPUIs in lower case).
func splitSlotParam(name string) (sip bool, key, rest string, ok bool) {
	var tail string
	switch {
	case strings.HasPrefix(name, "hs."):
		tail = name[3:]
	case strings.HasPrefix(name, "SipAccount."):
		tail, sip = name[11:], true
	default:
		return false, "", "", false
	}
	dot := strings.IndexByte(tail, '.')
	if dot <= 0 || dot == len(tail)-1 {
		return false, "", "", false
	}
	return sip, ipui.Normalize(tail[:dot]), tail[dot+1:], true
}

// CanonicalParamName returns name as the store keeps it: the slot key of a
// per-slot param in canonical form (an IPUI in lower case).
func CanonicalParamName(name string) string {
	sip, key, rest, ok := splitSlotParam(name)
	if !ok {
		return name
	}
	return joinSlotParam(sip, key, rest)
}

func joinSlotParam(sip bool, key, rest string) string {
	if sip {
		return "SipAccount." + key + "." + rest
	}
	return "hs." + key + "." + rest
}

func (st *settingsStore) set(name, value string) (changed bool) {
	sip, key, rest, ok := splitSlotParam(name)
	if !ok {
		old, had := st.global[name]
		if !had {
			st.n++
			name = strings.Clone(name)
		} else if old == value {
			return false
		}
		st.global[name] = strings.Clone(value)
		return true
	}
	return st.setSlot(sip, key, rest, value)
}

// setSlot stores a per-slot param already split into its parts, so the hot
// path of a complete file does not build the canonical name only to split
// it again.
func (st *settingsStore) setSlot(sip bool, key, rest, value string) (changed bool) {
	b := st.last
	if b == nil || st.lastKey != key {
		if b = st.bySlot[key]; b == nil {
			key = strings.Clone(key)
			b = &bucket{}
			st.bySlot[key] = b
		}
		st.lastKey, st.last = key, b
	}
	for i := range b.params {
		if p := &b.params[i]; p.sip == sip && p.rest == rest {
			if p.value == value {
				return false
			}
			p.value = strings.Clone(value)
			return true
		}
	}
	// Clones, because the reader's strings share one buffer per file:
	// keeping a substring would keep the whole file alive.
	name, ok := st.names[rest]
	if !ok {
		name = strings.Clone(rest)
		if len(st.names) < maxInterned {
			st.names[name] = name
		}
	}
	b.params = append(b.params, slotParam{sip: sip, rest: name, value: strings.Clone(value)})
	st.n++
	return true
}

func (st *settingsStore) get(name string) (string, bool) {
	sip, key, rest, ok := splitSlotParam(name)
	if !ok {
		v, had := st.global[name]
		return v, had
	}
	b := st.bySlot[key]
	if b == nil {
		return "", false
	}
	for _, p := range b.params {
		if p.sip == sip && p.rest == rest {
			return p.value, true
		}
	}
	return "", false
}

// dropSlot removes the accounts settings of one slot key.
func (st *settingsStore) dropSlot(key string) {
	if b, ok := st.bySlot[key]; ok {
		st.n -= len(b.params)
		delete(st.bySlot, key)
		if st.last == b {
			st.lastKey, st.last = "", nil
		}
	}
}

func (st *settingsStore) all() map[string]string {
	out := make(map[string]string, st.n)
	for k, v := range st.global {
		out[k] = v
	}
	for key, b := range st.bySlot {
		for _, p := range b.params {
			out[joinSlotParam(p.sip, key, p.rest)] = p.value
		}
	}
	return out
}

// Setting returns a provisioned setting. Per-slot names are matched with
// their slot key case-insensitively when it is an IPUI.
func (s *System) Setting(name string) (string, bool) { return s.settings.get(name) }

// Settings returns a copy of every provisioned setting.
func (s *System) Settings() map[string]string { return s.settings.all() }

// SettingNames returns every setting name, sorted.
func (s *System) SettingNames() []string {
	m := s.settings.all()
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// SettingCount returns how many settings are stored.
func (s *System) SettingCount() int { return s.settings.n }

// setParam stores a provisioned param under its canonical name and tells
// the listeners.
func (s *System) setParam(name, value string) {
	sip, key, rest, ok := splitSlotParam(name)
	if ok {
		s.setSlotParam(sip, key, rest, value)
		return
	}
	if s.settings.set(name, value) && strings.HasPrefix(name, "SipProvider.") {
		s.sipAllDirty = true // every account may name this provider
	}
	for _, f := range s.paramFns {
		f(name, value)
	}
}

// setSlotParam stores a per-slot param already split into its parts.
func (s *System) setSlotParam(sip bool, key, rest, value string) {
	if s.settings.setSlot(sip, key, rest, value) && sip {
		if n := len(s.sipDirty); n == 0 || s.sipDirty[n-1] != key {
			s.sipDirty = append(s.sipDirty, key)
		}
	}
	if !sip && rest == "DECT_AC" {
		if sl := s.slots[key]; sl != nil {
			s.reindex(sl) // the PIN its placeholder waits for
		}
	}
	if len(s.paramFns) > 0 {
		name := joinSlotParam(sip, key, rest)
		for _, f := range s.paramFns {
			f(name, value)
		}
	}
}
