package autoprov

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/xmltok"
)

// The provisioning version 1.0 three-file chain (Gigaset wiki, the N870
// parameter list and file hierarchy):
//
//	provisioning.xml   <provisioning version="1.0" productID="e2">
//	                     <category type="nvm" url=".../nvm/updates.xml"/>
//	nvm/updates.xml    <nvm version="1.0" productID="e2">
//	                     <file version="..." url=".../configuration.xml"/>
//	configuration.xml  <settings version="1.0" productID="e2" [macAddress]>
//	                     <param name value/>...
//
// The fetcher follows it and applies the params of every configuration
// file as one document. Decisions where the sources are silent:
//   - every file listed is fetched on every check (the device may compare
//     the version attribute with what it has; the model does not);
//   - a category of type "firmware" names a file
//     <firmware version="1.0" productID="e2"><file version url/></firmware>,
//     whose files are offered like those of a version 1.1 <firmware>;
//     other categories ("custom") are ignored with a warning;
//   - provisioning.xml must carry productID="e2" (the rule for every
//     document); a later file may omit productID but may not name another;
//   - a macAddress other than the system's is applied with a warning;
//   - relative URLs resolve against the URL of the file that holds them.
//
// Positions of the params point into their configuration file, whose URL
// names the assembled document.

// maxChainDocs bounds how many files one chain may pull in.
const maxChainDocs = 32

// node is one element of a chain file.
type node struct {
	name   string
	attrs  []xml.Attr
	pos    provfile.Pos
	parent int // index of the parent node, -1 for the root
}

func (n *node) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

type xmlError struct {
	pos provfile.Pos
	msg string
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// scanXML reads every element of a document in a strict encoding/xml pass,
// with its position.
func scanXML(data []byte) ([]node, *xmlError) {
	data = bytes.TrimPrefix(data, utf8BOM)
	var lines []int // offsets at which lines start
	lines = append(lines, 0)
	for i, c := range data {
		if c == '\n' {
			lines = append(lines, i+1)
		}
	}
	posAt := func(off int64) provfile.Pos {
		o := int(off)
		l := sort.Search(len(lines), func(i int) bool { return lines[i] > o }) - 1
		if l < 0 {
			l = 0
		}
		return provfile.Pos{Line: l + 1, Col: o - lines[l] + 1}
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = xmltok.CharsetReader
	var nodes []node
	var stack []int
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, col := dec.InputPos()
			msg := err.Error()
			if se, ok := err.(*xml.SyntaxError); ok {
				msg = se.Msg
			}
			return nil, &xmlError{pos: provfile.Pos{Line: line, Col: col}, msg: msg}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			parent := -1
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			} else if len(nodes) > 0 {
				return nil, &xmlError{pos: posAt(off), msg: "a second root element <" + t.Name.Local + ">"}
			}
			nodes = append(nodes, node{name: t.Name.Local, attrs: t.Attr, pos: posAt(off), parent: parent})
			stack = append(stack, len(nodes)-1)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, &xmlError{pos: posAt(off), msg: "text outside the root element"}
			}
		}
	}
	if len(nodes) == 0 {
		return nil, &xmlError{pos: provfile.Pos{Line: 1, Col: 1}, msg: "no root element"}
	}
	return nodes, nil
}

// chain assembles the documents of one version 1.0 chain.
type chain struct {
	s     *session
	res   *result
	file  *provfile.File
	docs  int
	named bool // file.Name is a configuration file's URL
	trail []string
}

// followChain follows the chain when res.doc is its first file, and leaves
// any other document to the system.
func (s *session) followChain(res *result) {
	d := res.doc
	if !bytes.Contains(d.body, []byte("<category")) {
		return
	}
	nodes, xerr := scanXML(d.body)
	if xerr != nil || nodes[0].name != "provisioning" || !hasChild(nodes, 0, "category") {
		return // not a chain: the system judges it as any document
	}
	c := &chain{s: s, res: res, docs: 1, trail: []string{d.url}}
	root := &nodes[0]
	if !c.productID(d.url, root, true) {
		return
	}
	version, _ := root.attr("version")
	c.file = &provfile.File{Name: d.url, Pos: root.pos, Version: version, ProductID: "e2", HasProductID: true}
	base, _ := url.Parse(d.url)
	for i := range nodes {
		n := &nodes[i]
		if n.parent != 0 {
			continue
		}
		if n.name != "category" {
			c.note(d.url, n.pos, "unknown-element", fmt.Sprintf("unknown element <%s> inside <provisioning> is ignored", n.name))
			continue
		}
		typ, _ := n.attr("type")
		loc, _ := n.attr("url")
		if strings.TrimSpace(loc) == "" {
			c.note(d.url, n.pos, "chain-category", fmt.Sprintf("<category type=%q> has no url; ignored", typ))
			continue
		}
		switch typ {
		case "nvm", "firmware":
		default:
			c.note(d.url, n.pos, "chain-category", fmt.Sprintf("<category type=%q> is not modelled; ignored", typ))
			continue
		}
		ref, ok := c.resolve(base, loc)
		if !ok {
			return
		}
		if typ == "nvm" && !c.nvm(ref) || typ == "firmware" && !c.firmware(ref) {
			return
		}
	}
	params := 0
	for _, it := range c.file.Items {
		if it.Kind == provfile.ParamItem {
			params++
		}
	}
	res.file = c.file
	res.chain = fmt.Sprintf("followed the version 1.0 chain %s (%d files, %d params)", strings.Join(c.trail, " -> "), c.docs, params)
}

func hasChild(nodes []node, parent int, name string) bool {
	for i := range nodes {
		if nodes[i].parent == parent && nodes[i].name == name {
			return true
		}
	}
	return false
}

func (c *chain) note(file string, p provfile.Pos, code, msg string) {
	if file != c.file.Name {
		msg = fmt.Sprintf("%s (in %s at %s)", msg, file, p)
	}
	c.file.Notes = append(c.file.Notes, provfile.Note{Pos: p, Code: code, Msg: msg})
}

func (c *chain) resolve(base *url.URL, loc string) (*url.URL, bool) {
	ref, err := base.Parse(strings.TrimSpace(loc))
	if err == nil {
		_, err = parseHTTPURL(ref.String())
	}
	if err != nil {
		c.res.fail = &failure{reason: ReasonBadURL,
			detail: fmt.Sprintf("version 1.0 chain: %s names the unusable URL %q", base, loc)}
		return nil, false
	}
	if ref.User != nil {
		c.s.takeUserinfo(ref)
	}
	return ref, true
}

// reject records the chain file the system refuses; nothing is applied.
func (c *chain) reject(file string, p provfile.Pos, code, msg string) {
	c.res.reject = &system.Event{Type: system.EvProvisioningRejected, File: file, Line: p.Line, Col: p.Col, Reason: code, Detail: msg}
	c.res.chain = "version 1.0 chain " + strings.Join(c.trail, " -> ")
}

// productID applies the system's rule: "e2" only. A file after
// provisioning.xml may leave it out.
func (c *chain) productID(file string, root *node, required bool) bool {
	v, has := root.attr("productID")
	switch {
	case has && v == "e2":
		return true
	case !has && !required:
		return true
	case !has:
		c.reject(file, root.pos, "product-id", fmt.Sprintf("the <%s> element has no productID; this system accepts only productID=\"e2\"", root.name))
	default:
		c.reject(file, root.pos, "product-id", fmt.Sprintf("productID is %q; this system accepts only \"e2\"", v))
	}
	return false
}

// get fetches one file of the chain and checks its root element.
func (c *chain) get(u *url.URL, root string) (*doc, []node, bool) {
	if c.docs >= maxChainDocs {
		c.reject(redact(u), provfile.Pos{Line: 1, Col: 1}, "limit",
			fmt.Sprintf("the version 1.0 chain names more than %d files", maxChainDocs))
		return nil, nil, false
	}
	c.docs++
	d, fail := c.s.get(u)
	if fail != nil {
		fail.detail = "version 1.0 chain: " + fail.detail
		c.res.fail = fail
		return nil, nil, false
	}
	c.trail = append(c.trail, d.url)
	nodes, xerr := scanXML(d.body)
	if xerr != nil {
		c.reject(d.url, xerr.pos, "xml-syntax", "not well-formed XML: "+xerr.msg)
		return nil, nil, false
	}
	if nodes[0].name != root {
		c.reject(d.url, nodes[0].pos, "not-provisioning",
			fmt.Sprintf("root element is <%s>; the version 1.0 chain expects <%s> here", nodes[0].name, root))
		return nil, nil, false
	}
	if !c.productID(d.url, &nodes[0], false) {
		return nil, nil, false
	}
	return d, nodes, true
}

// nvm follows nvm/updates.xml to its configuration files.
func (c *chain) nvm(u *url.URL) bool {
	d, nodes, ok := c.get(u, "nvm")
	if !ok {
		return false
	}
	base, _ := url.Parse(d.url)
	for i := range nodes {
		n := &nodes[i]
		if n.parent != 0 {
			continue
		}
		loc, _ := n.attr("url")
		if n.name != "file" || strings.TrimSpace(loc) == "" {
			c.note(d.url, n.pos, "unknown-element", fmt.Sprintf("<%s> inside <nvm> of the version 1.0 chain is ignored (expected <file version url>)", n.name))
			continue
		}
		ref, ok := c.resolve(base, loc)
		if !ok || !c.configuration(ref) {
			return false
		}
	}
	return true
}

// configuration reads a <settings> file into the assembled document.
func (c *chain) configuration(u *url.URL) bool {
	d, nodes, ok := c.get(u, "settings")
	if !ok {
		return false
	}
	root := &nodes[0]
	if !c.named {
		c.named = true
		c.file.Name, c.file.Pos, c.file.NVMPos = d.url, root.pos, root.pos
	}
	if m, has := root.attr("macAddress"); has {
		if nm, err := system.NormalizeMAC(m); err != nil || nm != c.s.mac {
			c.note(d.url, root.pos, "mac-address", fmt.Sprintf("configuration file for MAC %q applied to the system with MAC %s", m, c.s.mac))
		}
	}
	operOf := make(map[int]int) // node index of an oper -> its index in Items
	for i := range nodes {
		n := &nodes[i]
		switch {
		case n.parent == 0 && (n.name == "param" || n.name == "oper"):
			it := provfile.Item{Kind: provfile.ParamItem, Pos: n.pos}
			if n.name == "oper" {
				it.Kind = provfile.OperItem
			}
			it.Name, it.HasName = n.attr("name")
			it.Value, it.HasValue = n.attr("value")
			c.file.Items = append(c.file.Items, it)
			if it.Kind == provfile.OperItem {
				operOf[i] = len(c.file.Items) - 1
			}
		case n.parent == 0:
			c.note(d.url, n.pos, "unknown-element", fmt.Sprintf("unknown element <%s> inside <settings> is ignored", n.name))
		case n.parent > 0:
			k, isOper := operOf[n.parent]
			if isOper && n.name == "param" {
				p := provfile.Param{Pos: n.pos}
				p.Name, p.HasName = n.attr("name")
				p.Value, p.HasValue = n.attr("value")
				c.file.Items[k].Params = append(c.file.Items[k].Params, p)
			} else if nodes[n.parent].parent == 0 {
				c.note(d.url, n.pos, "unknown-element", fmt.Sprintf("unknown element <%s> inside <%s> is ignored", n.name, nodes[n.parent].name))
			}
		}
	}
	return true
}

// firmware reads a firmware update file of the chain.
func (c *chain) firmware(u *url.URL) bool {
	d, nodes, ok := c.get(u, "firmware")
	if !ok {
		return false
	}
	if c.file.Firmware == nil {
		c.file.Firmware = &provfile.Firmware{Pos: nodes[0].pos}
	}
	base, _ := url.Parse(d.url)
	for i := range nodes {
		n := &nodes[i]
		if n.parent != 0 {
			continue
		}
		if n.name != "file" {
			c.note(d.url, n.pos, "unknown-element", fmt.Sprintf("unknown element <%s> inside <firmware> is ignored", n.name))
			continue
		}
		v, _ := n.attr("version")
		loc, _ := n.attr("url")
		if ref, err := base.Parse(strings.TrimSpace(loc)); err == nil && loc != "" {
			loc = redact(ref)
		}
		c.file.Firmware.Files = append(c.file.Firmware.Files, provfile.FirmwareFile{Pos: n.pos, Version: v, URL: loc})
	}
	return true
}
