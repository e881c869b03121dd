// Package provfile reads Gigaset Nx70 provisioning documents
// (<provisioning version="1.1" productID="e2">) into a typed form in which
// every element keeps its line and column. It decides only whether a
// document can be read; what a system does with it belongs to package system.
package provfile

import (
	"fmt"

	"github.com/dectsim/dectsim/internal/xmltok"
)

// Pos is a 1-based line and column in a file (column in bytes). It is the
// xmltok type, so positions from scenario files and provisioning files mix.
type Pos = xmltok.Pos

// File is one provisioning document.
type File struct {
	// Name is the file name used in positions (a path, a URL, or a
	// scenario file for inline documents).
	Name string
	// Pos is the position of the <provisioning> start tag.
	Pos Pos
	// Version and ProductID are the root's attributes ("" when absent).
	Version, ProductID string
	// HasProductID is false when the root has no productID attribute.
	HasProductID bool
	// Firmware is the <firmware> section, nil when absent.
	Firmware *Firmware
	// Items are the <param> and <oper> elements of <nvm>, in document
	// order. Params and opers found directly under <provisioning> are
	// included too, with OutsideNVM set.
	Items []Item
	// NVMPos is the position of <nvm>; zero when the file has none.
	NVMPos Pos
	// Notes are things worth a warning that do not stop the file from
	// being read (unknown elements, params outside <nvm>, ...).
	Notes []Note
}

// Firmware is a <firmware> section.
type Firmware struct {
	Pos   Pos
	Files []FirmwareFile
}

// FirmwareFile is <file version url/> inside <firmware>.
type FirmwareFile struct {
	Pos          Pos
	Version, URL string
}

// ItemKind tells a param from an oper.
type ItemKind uint8

// Item kinds.
const (
	ParamItem ItemKind = iota + 1
	OperItem
)

// Item is a <param name value/> or an <oper name value>…</oper>.
type Item struct {
	Kind ItemKind
	Pos  Pos
	// Name and Value are the attributes as written.
	Name, Value string
	// HasName and HasValue are false when the attribute is missing.
	HasName, HasValue bool
	// Params are an oper's child params (nil for a param).
	Params []Param
	// OutsideNVM is set for items found directly under <provisioning>.
	OutsideNVM bool
}

// Param is a child <param name value/> of an oper.
type Param struct {
	Pos               Pos
	Name, Value       string
	HasName, HasValue bool
}

// Note is a non-fatal observation made while reading.
type Note struct {
	Pos  Pos
	Code string
	Msg  string
}

// Error is a document that cannot be read. Line and Col say where.
type Error struct {
	File string
	Pos  Pos
	// Code is a finding code: "xml-syntax", "not-provisioning" or "limit".
	Code string
	Msg  string
}

// Error gives "file:line:col: message", the form editors jump to.
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

// Limits bound what the reader accepts, so hostile input fails fast with a
// clear error instead of exhausting memory. It is the xmltok type; a zero
// field takes its value from DefaultLimits.
type Limits = xmltok.Limits

// DefaultLimits hold the largest real system's complete file (a Virtual
// Integrator with 20,000 handsets is about 15 MB and 250,000 elements) with
// room to spare.
var DefaultLimits = Limits{
	MaxBytes:    64 << 20,
	MaxDepth:    64,
	MaxAttrLen:  64 << 10,
	MaxElements: 2_000_000,
}
