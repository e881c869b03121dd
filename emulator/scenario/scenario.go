// Package scenario owns scenario files: reading them strictly (every
// mistake reported as file:line:col with the line and a caret), and running
// them against an emulated system on simulated time, collecting every
// failed expectation rather than stopping at the first.
package scenario

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/dectsim/dectsim/internal/xmltok"
)

// Pos is a line and column (from 1) in a scenario file.
type Pos struct {
	Line, Col int
}

// String gives "line:col", the form compilers use.
func (p Pos) String() string { return xmltok.Pos(p).String() }

// Scenario is one parsed scenario file.
type Scenario struct {
	// File is the path as given; Src its bytes, for excerpts.
	File        string
	Src         []byte
	Name        string
	Description string
	Seed        uint64
	Start       time.Time
	System      SystemSpec
	DMs         []DMDecl
	Bases       []BaseDecl
	Handsets    []HandsetDecl
	Serves      []Serve
	Blocks      []Block
}

// SystemSpec is the <system> element; zero fields take the defaults.
type SystemSpec struct {
	Pos      Pos
	Product  string
	Firmware string
	MAC      string
	// UpperMAC writes the MAC in upper case in %MACD and the <MAC>.xml of
	// a directory URL (mac-case="upper"); lower case otherwise.
	UpperMAC     bool
	DeregTimeout time.Duration
	MaxHandsets  int
	MaxBases     int
	// SIPRegistrar is how the simulated registrar answers (accept, the
	// default, or refuse).
	SIPRegistrar    string
	ProvisioningURL string
	User, Password  string
	// FetchTimeout bounds one fetch in real time (0: the fetcher's default).
	FetchTimeout time.Duration
	// GhostInterval is the time between a connected ghost's attempts.
	GhostInterval time.Duration
	// EventBudget is how many simulation events the system may run (0:
	// the system's default).
	EventBudget uint64
	// Readings are the readings the scenario sets, by name, in canonical
	// form; the others keep their defaults.
	Readings map[string]string
}

// HandsetDecl is a <handset>: the world before t=0.
type HandsetDecl struct {
	Pos   Pos
	IPUI  string
	State string
	Out   bool
	Off   bool
	PIN   string
	// At lists the bases within its reach, best first; nil: every base.
	At []string
}

// Serve is a <serve>: a file the scenario serves over HTTP from inside the
// run, so a fetch story fits in one file.
type Serve struct {
	Pos    Pos
	Path   string
	Status int
	Body   []byte
	// Delay makes the server wait (real time) before answering, to play a
	// slow or hanging server.
	Delay time.Duration
	// Truncate cuts the body short after that many bytes while announcing
	// its full length.
	Truncate int
}

// Block is an <at t="…"> and its steps.
type Block struct {
	Pos   Pos
	T     time.Duration
	Steps []Step
}

// Step kinds: the element names.
const (
	StepProvision    = "provision"
	StepMove         = "move"
	StepPower        = "power"
	StepRegister     = "register"
	StepReset        = "reset"
	StepFirmware     = "firmware"
	StepCheckSync    = "check-sync"
	StepServe        = "serve"
	StepExpect       = "expect"
	StepExpectParam  = "expect-param"
	StepExpectEvent  = "expect-event"
	StepExpectNoEvnt = "expect-no-event"
	StepExpectReq    = "expect-request"
	StepAdmin        = "admin"
	// StepHandset is a <handset> sent to a live system as a step: it puts
	// a new handset into the world now, as <handset> does before t=0.
	StepHandset = "handset"
)

// Step is one action or expectation. Only the fields of its Kind are set.
type Step struct {
	Kind string
	Pos  Pos

	IPUI string
	// On is the range (in) of a move and the state (on) of a power step.
	On  bool
	PIN *string

	// Provision: Source names the bytes (a path, or the scenario file for
	// an inline document), Data holds them, Origin places inline bytes.
	Source string
	Data   []byte
	Origin Pos

	Version string

	// Reboot: a <check-sync reboot="true"/>.
	Reboot bool

	// Multicell: Base names the base of a <base> step or <expect base>
	// ("none" for a handset that is not connected), DM the DM of a <dm>
	// step, To the bases a <move to> carries a handset to; Location,
	// BaseState, Serving and Camping are what <expect> checks of them.
	Base, DM  string
	To        []string
	Location  string
	BaseState string
	Serving   *bool
	Camping   *int
	// SIP is what <expect ipui sip> checks: the slot's SIP state.
	SIP string

	// Serve changes what the scenario's own server answers on a path.
	Serve *Serve

	// Handset is the handset a <handset> step sent to a live system adds.
	Handset *HandsetDecl
	// file names where steps sent to a live system came from; "" for the
	// scenario file's own.
	file string

	// Expectations.
	State      string
	Subscribed *bool
	Ghost      *bool
	Ghosts     *int
	Slots      *int
	Name       string
	Value      *string
	Absent     bool
	Type       string
	Outcome    string
	Count      *int
	// Path, UserAgent (a regular expression) and User select HTTP
	// requests for <expect-request>; User "" with HasUser selects requests
	// sent without credentials.
	Path      string
	UserAgent string
	User      string
	HasUser   bool
	userAgent *regexp.Regexp
}

// attrEscaper writes a value as an XML attribute holds it, so Describe
// shows what the scenario says.
var attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;", "\n", "&#10;", "\r", "&#13;", "\t", "&#9;")

// Describe renders an expectation in the scenario format, attributes in
// the order the format reference gives them.
func (st Step) Describe() string {
	var parts []string
	add := func(k, v string) { parts = append(parts, k+`="`+attrEscaper.Replace(v)+`"`) }
	if st.Type != "" {
		add("type", st.Type)
	}
	if st.IPUI != "" {
		add("ipui", st.IPUI)
	}
	if st.State != "" {
		add("state", st.State)
	}
	if st.Subscribed != nil {
		add("subscribed", fmt.Sprint(*st.Subscribed))
	}
	if st.Ghost != nil {
		add("ghost", fmt.Sprint(*st.Ghost))
	}
	if st.Ghosts != nil {
		add("ghosts", fmt.Sprint(*st.Ghosts))
	}
	if st.Slots != nil {
		add("slots", fmt.Sprint(*st.Slots))
	}
	st.describeCell(add)
	if st.Name != "" {
		add("name", st.Name)
	}
	if st.Value != nil {
		add("value", *st.Value)
	}
	if st.Absent {
		add("absent", "true")
	}
	if st.Outcome != "" {
		add("outcome", st.Outcome)
	}
	if st.Path != "" {
		add("path", st.Path)
	}
	if st.UserAgent != "" {
		add("user-agent", st.UserAgent)
	}
	if st.HasUser {
		add("user", st.User)
	}
	if st.Count != nil {
		add("count", fmt.Sprint(*st.Count))
	}
	return "<" + st.Kind + " " + strings.Join(parts, " ") + "/>"
}

// Error is a scenario file that cannot be run, located in its file.
type Error struct {
	File string
	Pos  Pos
	Msg  string
	// Src is the file's bytes, for Excerpt; nil when not read.
	Src []byte
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

// Excerpt is the offending line with a caret under the column.
func (e *Error) Excerpt() string {
	if e.Src == nil {
		return ""
	}
	return xmltok.Excerpt(e.Src, xmltok.Pos(e.Pos))
}
